"""AtomNAS search (resource-aware atom selection) as an mmengine model
(docs/methods/atomnas.md#resource-aware-penalty).

Loss = label-smoothed CE + lambda * sum_i c_i |alpha_i| (+ the coupled L2
weight-decay term when ``weight_decay`` is set). Shrinking is scheduled by
``engine.hooks.AtomShrinkHook``, which calls :meth:`AtomNAS.drop_atoms`: the
model, its EMA copy and the optimizer state are sliced in one call.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmpretrain.structures import DataSample

from ..arch import AtomNetArch
from ..ops.bn_recalib import recalibrate_bn
from ..registry import MODELS
from ..supernets.atomnas_supernet import AtomNASSupernet, ShrinkResult

# The supernet is torch-only and must not import the registry (the import
# direction of docs/architecture.md); it is registered here so configs can
# build it by name.
MODELS.register_module(module=AtomNASSupernet)


def decayed_parameters(module: nn.Module) -> list[nn.Parameter]:
    """Tensors the coupled L2 term covers: conv and linear weights and the
    classifier bias; BN parameters and other biases (SE) are not decayed
    (docs/methods/atomnas.md#weight-decay-as-a-loss-term)."""
    params = [m.weight for m in module.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    fc = getattr(getattr(module, 'head', None), 'fc', None)
    if isinstance(fc, nn.Linear) and fc.bias is not None:
        params.append(fc.bias)
    return params


@MODELS.register_module()
class AtomNAS(BaseModel):
    """AtomNAS supernet training with the resource-aware L1 penalty.

    Args:
        supernet (dict | AtomNASSupernet): ``AtomNASSupernet`` config or
            instance. Defaults to the stem-32 supernet.
        l1_lambda (float): Target lambda of the penalty (A 1.8e-4, B 1.2e-4,
            C 1.0e-4). ``L1WarmupHook`` scales it from 0. Defaults to 1.8e-4.
        label_smoothing (float): Of the CE loss. Defaults to 0.1.
        weight_decay (float): Coupled L2 ``0.5 * wd * sum w^2`` in the loss
            (``loss_l2``); set the optimizer's weight_decay to 0 then.
            Defaults to 0.
        channels_last (bool): Run the supernet in channels-last memory
            format (2-3x faster training steps on CPU with oneDNN: its
            5x5/7x7 depthwise weight gradients are slow in NCHW). Defaults
            to False.
        data_preprocessor (dict, optional): Defaults to mmpretrain's
            ``ClsDataPreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, supernet: Union[dict, AtomNASSupernet, None] = None,
                 l1_lambda: float = 1.8e-4, label_smoothing: float = 0.1,
                 weight_decay: float = 0.0, channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None):
        if isinstance(data_preprocessor, dict) or data_preprocessor is None:
            data_preprocessor = dict(data_preprocessor or {})
            data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        for name, value in (('l1_lambda', l1_lambda), ('weight_decay', weight_decay)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f'{name}: expected a number >= 0, got {value!r}')
        if not 0 <= label_smoothing < 1:
            raise ValueError(f'label_smoothing: expected a number in [0, 1), got {label_smoothing!r}')
        if supernet is None or isinstance(supernet, dict):
            cfg = dict(supernet or {})
            cfg.setdefault('type', 'AtomNASSupernet')
            # Our scope, whatever scope the process's last Runner left current.
            cfg.setdefault('_scope_', 'nas_backbones')
            supernet = MODELS.build(cfg)
        if not isinstance(supernet, AtomNASSupernet):
            raise TypeError(f'supernet: expected an AtomNASSupernet, got {type(supernet).__name__}')
        self.supernet = supernet
        self.channels_last = channels_last
        if channels_last:
            self.supernet.to(memory_format=torch.channels_last)
        self.l1_lambda, self.label_smoothing, self.weight_decay = l1_lambda, label_smoothing, weight_decay
        # Warm-up factor of lambda, set each iteration by L1WarmupHook.
        self.l1_scale = 1.0
        self._decayed: Optional[list[nn.Parameter]] = None

    # ----------------------------------------------------------- state
    @property
    def arch(self) -> AtomNetArch:
        """Arch of the live atoms (read by tools' run summary)."""
        return self.supernet.current_arch()

    def set_l1_scale(self, scale: float) -> None:
        """Warm-up factor of lambda in [0, 1] (``L1WarmupHook``)."""
        if not 0.0 <= scale <= 1.0:
            raise ValueError(f'scale: expected a number in [0, 1], got {scale!r}')
        self.l1_scale = float(scale)

    @property
    def current_l1_lambda(self) -> float:
        return self.l1_lambda * self.l1_scale

    def drop_atoms(self, keep: dict[int, torch.Tensor], optimizer: Optional[torch.optim.Optimizer] = None,
                   ema_model: Optional[nn.Module] = None) -> ShrinkResult:
        """Remove atoms from this model, its EMA copy and the optimizer state.

        Args:
            keep (dict[int, Tensor]): Block index -> bool keep mask.
            optimizer (Optimizer, optional): The optimizer over this model.
            ema_model (nn.Module, optional): mmengine averaged model
                (``ExponentialMovingAverage``) whose ``module`` is a copy of
                this model; its parameters lose the same atoms and its
                ``avg_parameters`` table is rebuilt on the new tensors.
        """
        return self._shrink(self.supernet.shrink, keep, optimizer, ema_model)

    def shrink_to_arch(self, arch: AtomNetArch, optimizer: Optional[torch.optim.Optimizer] = None,
                       ema_model: Optional[nn.Module] = None) -> ShrinkResult:
        """Give a fresh model the shapes of ``arch`` (before loading a
        checkpoint saved after shrinking)."""
        return self._shrink(self.supernet.shrink_to_arch, arch, optimizer, ema_model)

    def _shrink(self, shrink, target, optimizer, ema_model) -> ShrinkResult:
        # The EMA supernet loses the same atoms; its averaged-parameter table
        # and the cached decayed-parameter list then point at old tensors.
        twins = [] if ema_model is None else [ema_model.module.supernet]
        result = shrink(target, optimizer, twins)
        if ema_model is not None:
            sync_averaged_model(ema_model)
        self._decayed = None
        return result

    def recalibrate(self, batches, num_batches: int) -> int:
        """Re-estimate BN statistics on preprocessed training batches (after
        every shrink, docs/methods/atomnas.md#bn-recalibration-after-a-shrink);
        only the backbone holds BN.

        In a distributed run each rank estimates them on its own batches and
        ``recalibrate_bn`` then averages them over the ranks, as the
        published code does after its calibration (``udist.allreduce_bn``),
        so every rank holds the same statistics.
        """
        def forward(model, data):
            inputs = self.data_preprocessor(data, False)['inputs']
            if self.channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            model(inputs)
        return recalibrate_bn(self.supernet.backbone, batches, num_batches, forward)

    # ----------------------------------------------------------- forward
    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        """mmengine's contract: 'tensor' -> logits, 'loss' -> dict of losses
        and log values, 'predict' -> mmpretrain DataSamples."""
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        if mode == 'tensor':
            return self.supernet(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'mode: invalid mode "{mode}"; expected tensor, loss or predict')

    def loss(self, inputs: torch.Tensor, data_samples: Sequence[DataSample]) -> dict:
        logits = self.supernet(inputs)
        labels = torch.cat([ds.gt_label for ds in data_samples]).to(logits.device)
        losses = {'loss_cls': F.cross_entropy(logits, labels,
                                              label_smoothing=self.label_smoothing)}
        lam = self.current_l1_lambda
        # The penalty is computed even at lambda 0 so that alpha always gets a
        # gradient entry (DDP needs the same graph on every step).
        losses['loss_atom_l1'] = lam * self.supernet.atom_penalty()
        if self.weight_decay > 0:
            if self._decayed is None:
                self._decayed = decayed_parameters(self.supernet)
            sq = torch.stack([p.pow(2).sum() for p in self._decayed]).sum()
            losses['loss_l2'] = 0.5 * self.weight_decay * sq
        # Log-only values: no 'loss' in the key, so parse_losses does not add them.
        cost = self.supernet.cost()
        device = logits.device
        losses['l1_lambda'] = torch.tensor(lam, device=device)
        losses['mflops'] = torch.tensor(cost.mflops, device=device)
        losses['live_atoms'] = torch.tensor(float(self.supernet.current_arch().num_atoms),
                                            device=device)
        if self.supernet.predicted_latency() is not None:
            losses['latency_ms'] = torch.tensor(self.supernet.predicted_latency(), device=device)
        return losses

    def predict(self, inputs: torch.Tensor, data_samples: Optional[list] = None) -> list[DataSample]:
        """As mmpretrain's ClsHead.predict: softmax scores and argmax labels."""
        scores = F.softmax(self.supernet(inputs), dim=1)
        labels = scores.argmax(dim=1, keepdim=True).detach()
        if data_samples is None:
            data_samples = [DataSample() for _ in range(scores.size(0))]
        for ds, score, label in zip(data_samples, scores, labels):
            ds.set_pred_score(score).set_pred_label(label)
        return list(data_samples)


def sync_averaged_model(ema_model: nn.Module) -> None:
    """Rebuild the parameter table of an mmengine averaged model after its
    module's parameters were replaced (``BaseAveragedModel.avg_parameters``
    holds the tensors it updates in place; stale entries would keep updating
    the pre-shrink tensors)."""
    module = ema_model.module
    ema_model.avg_parameters = (module.state_dict() if ema_model.update_buffers
                                else dict(module.named_parameters()))
