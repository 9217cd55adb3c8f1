"""Every published net exports to ONNX and onnxruntime reproduces PyTorch
within 1e-4 (logits, and the backbone's feature taps), with trained-like
weights (``trained_like``), so outputs are O(1) and depend on the input and
the tolerance has teeth (a freshly initialised net outputs ~1e-8)."""
import pytest
import torch
import torch.nn as nn
from nas_conftest import ZOO

from nas_backbones.arch import load_arch
from nas_backbones.ops import build_static_classifier, build_static_net
from nas_backbones.ops.onnx_export import FeatureTaps, check_onnx, export_onnx, ort_session

# One of each family (AtomNAS with SE + swish, AttentiveNAS) in the default
# suite; the other eleven take ~5 s each and run with -m slow.
DEFAULT = ('atomnas_a_plus', 'attentivenas_a0')
CASES = [pytest.param(n, marks=() if n in DEFAULT else pytest.mark.slow) for n in ZOO]


def trained_like(model: nn.Module, size: int, seed: int = 0) -> nn.Module:
    """Random BN affine parameters, then BN statistics estimated on random
    images (as after training), so activations neither die nor explode and
    the outputs depend on the input."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.num_features, generator=gen))
                m.reset_running_stats()
                m.momentum = None  # cumulative average over the batches below
            elif isinstance(m, nn.Linear):
                m.weight.copy_(2 * torch.randn(m.weight.shape, generator=gen) / m.in_features ** 0.5)
        model.train()
        for _ in range(2):
            model(torch.randn(4, 3, size, size, generator=gen))
    return model.eval()


@pytest.mark.parametrize('name', CASES)
def test_published_net_exports_and_matches(name, tmp_path):
    arch = load_arch(name)
    size = arch.resolution
    model = trained_like(build_static_classifier(arch), size)
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y = model(x)
    # O(1) logits that depend on the input: the tolerance has teeth.
    assert y.abs().max() > 0.25 and (y[0] - y[1]).abs().max() > 0.02
    path = tmp_path / f'{name}.onnx'
    export_onnx(model, x[:1], path, dynamic_batch=True)
    assert check_onnx(path, model, [x[:1], x]) <= 1e-4


def test_feature_taps_export(tmp_path):
    arch = load_arch('attentivenas_a1')
    net = trained_like(build_static_net(arch), 128)
    taps = FeatureTaps(net, (1, 2, 4, 7))
    x = torch.randn(1, 3, 128, 160)
    data = export_onnx(taps, x)
    session = ort_session(data)
    assert [o.name for o in session.get_outputs()] == ['feat1', 'feat2', 'feat4', 'feat7']
    got = session.run(None, {'input': x.numpy()})
    assert [g.shape[1] for g in got] == [net.out_channels()[i] for i in (1, 2, 4, 7)]
    assert [g.shape[2:] for g in got] == [(128 // s, 160 // s) for s in (4, 8, 16, 32)]
    assert check_onnx(data, taps, [x]) <= 1e-4
    with pytest.raises(ValueError, match=r'out_indices: each index must be in range\(0, 8\)'):
        FeatureTaps(net, (8,))


def test_check_fails_naming_the_output(tmp_path):
    model = trained_like(build_static_classifier(load_arch('attentivenas_a0')), 64)
    x = torch.randn(1, 3, 64, 64)
    data = export_onnx(model, x)
    with torch.no_grad():
        model.head.fc.bias.add_(1e-2)  # the ONNX file keeps the old bias
    with pytest.raises(ValueError, match=r'onnx output output: max abs difference 0.01 .* '
                                         r'exceeds 0.0001 x max\(1, '):
        check_onnx(data, model, [x])
