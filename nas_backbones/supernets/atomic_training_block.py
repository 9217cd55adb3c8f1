"""The AtomNAS supernet's training block: ``ops.AtomicBlock`` plus two CPU
training shortcuts, both the same maths as the plain block (tested equal:
outputs, gradients, running statistics, in
tests/test_supernets/test_atomic_training_block.py) and measured on CPU with
benchmarks/bench_atomnas_step.py:

* With several large branches, each branch runs on its own rows of the
  expansion weight and its own columns of the projection weight (views, no
  activation copies) and the projections are summed, instead of splitting
  the hidden tensor (a strided view that every dw conv copies) and
  concatenating the dw outputs: up to 2x faster per block.
* The expansion BN's batch statistics come from the block input's mean and
  covariance and the BN folds into the expansion conv
  (:func:`_expand_with_folded_bn`): no BN passes over the expanded tensor,
  which at 112x112 / 56x56 does not fit in the CPU cache (~1.6x per step).

Both compute what ``nn.BatchNorm2d.forward`` computes in training mode with
running statistics, so they run only then: when ``expand.bn`` and
``bn_dw`` are exactly ``nn.BatchNorm2d`` (not SyncBN, GN or a subclass),
affine, in training mode and tracking running stats. Anything else (eval
mode, ``norm_eval``, SyncBN, BN recalibration with another norm) takes the
plain block's forward. Module names and state-dict keys are the plain
block's: a shrunk supernet exports as a state-dict copy, and
``ops.atom_shrink`` slices either class.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..ops.atomic_block import AtomicBlock, depthwise
from ..ops.layers import ConvBNAct, SqueezeExcite, count_bn_batch


class AtomicTrainingBlock(AtomicBlock):
    """``AtomicBlock`` with the supernet's CPU training fast paths (same
    arguments, same modules)."""

    # Smallest branch output (elements per batch) for which training runs the
    # branches separately: 2**20, i.e. 128k per image at batch 8 -- the
    # supernet's branches at 28x28 and above (CPU measurement).
    BRANCH_SPLIT_MIN_ELEMENTS = 1 << 20
    # Smallest expanded tensor (elements per batch) whose BN is folded into
    # the expansion conv in training: 2**22 floats = 16 MiB, half this CPU's
    # L3 cache; smaller tensors stay in cache and BN's passes are cheap.
    FOLD_MIN_ELEMENTS = 1 << 22

    def uses_fast_path(self) -> bool:
        """True when the shortcuts are the same maths as the plain forward:
        training, and every BN they compute by hand is a plain affine
        ``nn.BatchNorm2d`` in training mode that tracks running stats."""
        if not self.training or self.is_identity:
            return False
        bns = [self.bn_dw] + ([self.expand.bn] if self.has_expansion else [])
        return all(type(bn) is nn.BatchNorm2d and bn.training and bn.track_running_stats
                   and bn.affine for bn in bns)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.uses_fast_path():
            return super().forward(x)
        if len(self.dw) > 1 and self._branches_are_large(x):
            h = self._forward_branches(x)
        else:
            h = self._forward_concatenated(x)
        return x + h if self.has_residual else h

    def _fold_expand_bn(self, x: torch.Tensor) -> bool:
        # Folding saves passes over the expanded tensor, which only matter
        # when it does not fit in the cache, and costs Cin^2 per pixel
        # (covariance) plus atoms x Cin^2 (variances): small next to the
        # expansion conv (Cin x atoms per pixel) only with many pixels per
        # input channel and a wide expansion.
        pixels = x.numel() // x.shape[1]
        return (self.has_expansion and 4 * self.in_channels <= self.num_atoms
                and 16 * self.in_channels <= pixels
                and pixels * self.num_atoms >= self.FOLD_MIN_ELEMENTS)

    def _expand(self, x: torch.Tensor, slices: list[slice]) -> list[torch.Tensor]:
        """Training-mode expansion (conv, BN, act) of each channel slice."""
        if self._fold_expand_bn(x):
            parts = _expand_with_folded_bn(self.expand, x, slices)
        else:
            w = self.expand.conv.weight
            parts = _sliced_batch_norm(self.expand.bn, [F.conv2d(x, w[sl]) for sl in slices],
                                       slices)
        return [self.expand.act(h) for h in parts]

    def _forward_concatenated(self, x: torch.Tensor) -> torch.Tensor:
        """Training forward over the concatenated atoms (one conv per layer)."""
        h = self._expand(x, [slice(0, self.num_atoms)])[0] if self.has_expansion else x
        if len(self.dw) == 1:
            h = depthwise(self.dw[0], h)
        else:
            h = torch.cat([depthwise(conv, part)
                           for conv, part in zip(self.dw, h.split(self.atoms, 1))], 1)
        return self.project(self.se(self.act(self.bn_dw(h))))

    def _branches_are_large(self, x: torch.Tensor) -> bool:
        # Per-branch convs pay a fixed cost per op; with small branches (a
        # shrunk net: a few atoms, or 7x7 maps) one conv over the concatenated
        # atoms plus the split/cat copies is faster (measured on CPU,
        # benchmarks/bench_atomnas_step.py).
        hout = (x.shape[-1] - 1) // self.stride + 1
        return min(self.atoms) * hout * hout * x.shape[0] >= self.BRANCH_SPLIT_MIN_ELEMENTS

    def _forward_branches(self, x: torch.Tensor) -> torch.Tensor:
        """expand -> dw -> BN -> act per branch on weight slices, summed
        projections (same maths as concatenating the branches)."""
        slices = self.atom_slices()
        parts = [depthwise(dw, h) for dw, h in zip(self.dw, self._expand(x, slices))]
        parts = [self.act(h) for h in _sliced_batch_norm(self.bn_dw, parts, slices)]
        if isinstance(self.se, SqueezeExcite):
            # SE of the concatenated tensor: pool per branch, gate, split.
            se = self.se
            pooled = torch.cat([h.mean((2, 3), keepdim=True) for h in parts], 1)
            gate = se.gate(se.expand(se.act(se.reduce(pooled))))
            parts = [h * gate[:, sl] for h, sl in zip(parts, slices)]
        w = self.project.conv.weight
        y = F.conv2d(parts[0], w[:, slices[0]])
        for h, sl in zip(parts[1:], slices[1:]):
            y = y + F.conv2d(h, w[:, sl])
        return self.project.bn(y)


def _sliced_batch_norm(bn: nn.BatchNorm2d, parts: list[torch.Tensor],
                       slices: list[slice]) -> list[torch.Tensor]:
    """Training-mode ``bn`` (tracking running stats) applied to ``parts``
    (channel ``slices`` of its input), as ``nn.BatchNorm2d.forward`` would
    on their concatenation: batch statistics and a running-stat update per
    channel (the slices of the running buffers are views, updated in place);
    ``num_batches_tracked`` counts the forward once (``momentum=None``
    cumulative averaging, used by BN recalibration, stays exact)."""
    factor = count_bn_batch(bn)
    return [F.batch_norm(h, bn.running_mean[sl], bn.running_var[sl], bn.weight[sl], bn.bias[sl],
                         True, factor, bn.eps)
            for h, sl in zip(parts, slices)]


def _expand_with_folded_bn(expand: ConvBNAct, x: torch.Tensor,
                           slices: list[slice]) -> list[torch.Tensor]:
    """Training-mode ``expand.bn(expand.conv(x))``, per branch, without the
    BN passes over the (large) expanded tensor.

    The expansion is a 1x1 conv, so its output's batch statistics follow from
    the input's: mean = W mu, var = diag(W Sigma W^T), with mu, Sigma the
    per-pixel mean and (biased) covariance of the ``Cin`` input channels --
    cheap, the input has 1/18 of the supernet's hidden channels. BN then
    folds into the conv (weight x scale, bias = beta - mean x scale), and
    autograd differentiates through the statistics exactly as BN's backward
    does. What it saves is memory traffic: BN's statistics, normalisation
    and backward passes over a hidden tensor that, at 112x112 and 56x56,
    does not fit in the CPU cache (the largest share of a supernet step).
    Running statistics are updated as ``nn.BatchNorm2d`` updates them.
    """
    conv, bn = expand.conv, expand.bn
    cin = x.shape[1]
    n = x.numel() // cin
    with torch.autocast(x.device.type, enabled=False):
        # Pixels x channels: a view for channels-last input, a copy otherwise.
        pixels = x.float().permute(0, 2, 3, 1).reshape(n, cin)
        mu = pixels.mean(0)
        xc = pixels - mu
        cov = xc.T @ xc / n
        w = conv.weight.flatten(1).float()
        mean = w @ mu
        var = ((w @ cov) * w).sum(1)
        m = count_bn_batch(bn)
        with torch.no_grad():
            bn.running_mean.lerp_(mean.detach().to(bn.running_mean.dtype), m)
            bn.running_var.lerp_((var.detach() * n / max(n - 1, 1)).to(bn.running_var.dtype), m)
        scale = bn.weight * torch.rsqrt(var + bn.eps)
        shift = bn.bias - mean * scale
    weight = (conv.weight * scale.view(-1, 1, 1, 1).to(conv.weight.dtype))
    return [F.conv2d(x, weight[sl], shift[sl].to(weight.dtype)) for sl in slices]
