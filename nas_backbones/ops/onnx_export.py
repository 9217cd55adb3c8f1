"""ONNX export of static nets and its check with onnxruntime (torch only;
``onnx``/``onnxruntime`` are imported when used).

The exporter is torch's TorchScript-based one (``dynamo=False``): it needs
no package beyond ``onnx`` (the dynamo exporter also needs ``onnxscript``)
and handles every op of these nets; its highest opset is 20
(``torch.onnx._constants.ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET``), the
default here. Eval-mode BN folds into the convs on export.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn

from .static_net import forward_stages

DEFAULT_OPSET = 20
OnnxModel = Union[bytes, str, Path]


class FeatureTaps(nn.Module):
    """A backbone returning the features at ``out_indices`` (stage outputs;
    ``len(stages)`` is the head conv), as ``SearchedMobileNet`` does for
    detectors."""

    def __init__(self, net: nn.Module, out_indices: Sequence[int]):
        super().__init__()
        n = len(net.stages)
        bad = [i for i in out_indices if i not in range(n + 1)]
        if bad or not out_indices:
            raise ValueError(f'out_indices: each index must be in range(0, {n + 1}), got '
                             f'{list(out_indices)}')
        self.net, self.out_indices = net, tuple(out_indices)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(forward_stages(self.net, x, self.out_indices))


def output_names(model: nn.Module) -> list[str]:
    if isinstance(model, FeatureTaps):
        return [f'feat{i}' for i in model.out_indices]
    return ['output']


def export_onnx(model: nn.Module, example: torch.Tensor, path: Union[str, Path, None] = None,
                dynamic_batch: bool = False, opset: Optional[int] = None) -> bytes:
    """Export ``model`` (eval mode) traced on ``example``; returns the ONNX
    bytes and writes them to ``path`` when given. Input ``input``, outputs
    ``output`` or ``feat{i}``; ``dynamic_batch`` makes dim 0 symbolic."""
    opset = DEFAULT_OPSET if opset is None else opset
    names = output_names(model)
    axes = ({n: {0: 'batch'} for n in ['input', *names]} if dynamic_batch else None)
    was_training = model.training
    model.eval()
    buf = io.BytesIO()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # The TorchScript exporter is chosen on purpose (module docstring).
            warnings.filterwarnings('ignore', message='.*legacy TorchScript-based ONNX export',
                                    category=DeprecationWarning)
            warnings.filterwarnings('ignore', category=DeprecationWarning, module=r'torch\.onnx')
            torch.onnx.export(model, (example,), buf, dynamo=False, opset_version=opset,
                              input_names=['input'], output_names=names, dynamic_axes=axes,
                              do_constant_folding=True)
    finally:
        model.train(was_training)
    data = buf.getvalue()
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return data


def ort_session(onnx_model: OnnxModel, device: str = 'cpu', threads: Optional[int] = None):
    """An onnxruntime session (CPU, or CUDA for ``device='cuda'``), all graph
    optimisations on, ``threads`` intra-op threads (None: onnxruntime's default)."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise ImportError('onnxruntime is not installed: pip install onnxruntime') from None
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads is not None:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    if device == 'cuda':
        if 'CUDAExecutionProvider' not in ort.get_available_providers():
            raise RuntimeError('device cuda: this onnxruntime has no CUDAExecutionProvider '
                               '(install onnxruntime-gpu)')
        providers = ['CUDAExecutionProvider']
    elif device == 'cpu':
        providers = ['CPUExecutionProvider']
    else:
        raise ValueError(f"device: expected 'cpu' or 'cuda', got {device!r}")
    model = str(onnx_model) if isinstance(onnx_model, Path) else onnx_model
    return ort.InferenceSession(model, opts, providers=providers)


def check_onnx(onnx_model: OnnxModel, model: nn.Module, inputs: Sequence[torch.Tensor],
               atol: float = 1e-4) -> float:
    """Run ``model`` (eval) and onnxruntime on each input; return the largest
    difference over all outputs, ``max|onnx - torch| / max(1, max|torch|)``,
    raising ValueError naming the output and the input shape when it exceeds
    ``atol``. The scale makes it absolute for O(1) outputs (logits) and
    relative for large feature maps (an untrained backbone's reach the
    hundreds), where float32 rounding grows with the values."""
    session = ort_session(onnx_model)
    names = [o.name for o in session.get_outputs()]
    was_training = model.training
    model.eval()
    worst = 0.0
    try:
        for x in inputs:
            with torch.no_grad():
                ref = model(x)
            ref = list(ref) if isinstance(ref, (tuple, list)) else [ref]
            got = session.run(None, {'input': x.numpy()})
            if len(got) != len(ref):
                raise ValueError(f'onnx: {len(got)} outputs, the model gives {len(ref)}')
            for name, r, g in zip(names, ref, got):
                if tuple(g.shape) != tuple(r.shape):
                    raise ValueError(f'onnx output {name}: shape {tuple(g.shape)}, the model '
                                     f'gives {tuple(r.shape)} (input {tuple(x.shape)})')
                scale = max(1.0, float(r.abs().max()))
                diff = float(np.abs(g - r.numpy()).max()) / scale
                if not diff <= atol:  # also catches NaN
                    raise ValueError(f'onnx output {name}: max abs difference {diff * scale:.3g} '
                                     f'to PyTorch (outputs up to {scale:.3g}) exceeds {atol:g} x '
                                     f'max(1, {scale:.3g}) (input {tuple(x.shape)})')
                worst = max(worst, diff)
    finally:
        model.train(was_training)
    return worst
