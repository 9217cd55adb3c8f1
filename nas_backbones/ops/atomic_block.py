"""AtomNAS atomic block: a mixed-kernel inverted residual that is a sum of atoms.

Atom i = (expansion channel i, its dw kxk filter, projection input column i;
docs/methods/atomnas.md#atoms-and-the-atomic-block). The block holds all
branches' atoms in one set of tensors: one expansion 1x1 (and norm) over all
atoms, one dw conv per kernel size on its channel split, one norm over the
concatenated dw outputs (its gamma is the atoms' importance alpha) and one
projection. The same class is the static
block of a searched net and, with more atoms, the block the supernet's
training block (``supernets.atomic_training_block``) extends: module names
and state-dict keys are the same, so export is a state-dict copy and
``ops.atom_shrink`` slices either.

This is the deployable block: one straight forward, every sub-module called
as a module in train and eval mode, so ``norm_eval``, SyncBN / GN (through
``norm_layer``), forward hooks (the hook-based FLOPs count, feature taps)
and ``torch.utils.checkpoint`` see what they expect. Its one CPU-specific
choice is a precision one (:func:`depthwise`): under CPU autocast the dw
convs of a training step run in fp32.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn as nn

from ..arch import atomnas_se_hidden
from .layers import ConvBNAct, NormLayer, SqueezeExcite, batch_norm, make_act


class AtomicBlock(nn.Module):
    """Mixed-kernel inverted-residual block made of atoms.

    expand 1x1 + norm + act -> per-kernel dw convs on channel splits ->
    concat -> norm (alpha) -> act -> SE -> project 1x1 + norm, residual when
    the shapes allow.

    Args:
        in_channels (int): Block input channels.
        out_channels (int): Projection output channels.
        stride (int): Stride of the dw convs.
        kernel_sizes (Sequence[int]): dw kernel size of each branch.
        atoms (Sequence[int]): Atoms of each branch (0 = branch absent).
        has_expansion (bool): False: the dw convs act on the input directly
            (first block of the net). Defaults to True.
        act (str): 'relu' or 'swish'. Defaults to 'relu'.
        se_ratio (float): SE hidden = round(se_ratio * in_channels)
            (``arch.atomnas_se_hidden``), 0 = no SE.
        bn_momentum (float): Of the default norm layer. Defaults to 0.01 (the
            authors' AtomNAS setting).
        bn_eps (float): Of the default norm layer. Defaults to 1e-3 (the
            authors' AtomNAS setting).
        norm_layer (NormLayer, optional): Norm-layer factory (channels ->
            module) replacing ``nn.BatchNorm2d(bn_eps, bn_momentum)``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 kernel_sizes: Sequence[int], atoms: Sequence[int], has_expansion: bool = True,
                 act: str = 'relu', se_ratio: float = 0.0, bn_momentum: float = 0.01,
                 bn_eps: float = 1e-3, norm_layer: Optional[NormLayer] = None):
        super().__init__()
        if len(kernel_sizes) != len(atoms):
            raise ValueError(f'atoms: {len(atoms)} values for {len(kernel_sizes)} kernel sizes')
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.has_expansion = has_expansion
        self.has_residual = stride == 1 and in_channels == out_channels
        self.act_name, self.se_ratio = act, se_ratio
        self.kernel_sizes = [k for k, a in zip(kernel_sizes, atoms) if a > 0]
        self.atoms = [a for a in atoms if a > 0]
        mid = sum(self.atoms)
        if not has_expansion and mid != in_channels:
            raise ValueError(f'atoms: a block without expansion needs atoms == in_channels '
                             f'({in_channels}), got {list(atoms)}')
        self.is_identity = mid == 0
        if self.is_identity:
            if not self.has_residual:
                raise ValueError('atoms: a block with no atoms must have a residual')
            return
        norm_layer = norm_layer or batch_norm(bn_momentum, bn_eps)
        self.expand = (ConvBNAct(in_channels, mid, 1, act=act, norm_layer=norm_layer)
                       if has_expansion else nn.Identity())
        self.dw = nn.ModuleList(
            nn.Conv2d(a, a, k, stride, k // 2, groups=a, bias=False)
            for k, a in zip(self.kernel_sizes, self.atoms))
        # One norm over the concatenated dw outputs: its gamma is the atoms'
        # importance alpha (docs/methods/atomnas.md#atoms-and-the-atomic-block).
        self.bn_dw = norm_layer(mid)
        self.act = make_act(act)
        se_hidden = atomnas_se_hidden(in_channels, se_ratio)
        self.se = SqueezeExcite(mid, se_hidden, act, 'sigmoid') if se_hidden else nn.Identity()
        self.project = ConvBNAct(mid, out_channels, 1, act=None, norm_layer=norm_layer)

    @property
    def num_atoms(self) -> int:
        return sum(self.atoms)

    def atom_slices(self) -> list[slice]:
        """Channel range of each branch in the hidden tensor."""
        out, start = [], 0
        for a in self.atoms:
            out.append(slice(start, start + a))
            start += a
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.is_identity:
            return x
        h = self.expand(x)
        if len(self.dw) == 1:
            h = depthwise(self.dw[0], h)
        else:
            h = torch.cat([depthwise(conv, part)
                           for conv, part in zip(self.dw, h.split(self.atoms, 1))], 1)
        h = self.project(self.se(self.act(self.bn_dw(h))))
        return x + h if self.has_residual else h

    def extra_repr(self) -> str:
        return (f'{self.in_channels}->{self.out_channels}, stride={self.stride}, '
                f'kernels={self.kernel_sizes}, atoms={self.atoms}')


def depthwise(conv: nn.Conv2d, h: torch.Tensor) -> torch.Tensor:
    """``conv(h)`` (a module call); in fp32 under CPU autocast when autograd
    records, where oneDNN's bf16 depthwise backward is ~3x slower than its
    fp32 one (5x5/7x7 weight gradients; benchmarks/bench_atomnas_step.py:
    bf16 dw convs made the static nets' AMP training step 1.5-1.9x slower)
    while dw convs are a few % of the FLOPs. Forward-only runs and GPUs use
    autocast as usual."""
    if h.device.type == 'cpu' and torch.is_autocast_enabled('cpu') and torch.is_grad_enabled():
        with torch.autocast('cpu', enabled=False):
            return conv(h.float())
    return conv(h)
