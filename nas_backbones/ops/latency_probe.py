"""The module behind each latency-table key (``estimators.latency``), built
from the same layers as the static nets, so that a table entry times what
the net runs (torch only).

``probe_from_key(key)`` returns ``(module, input_shape)`` (batch 1; the
builder sets the batch). AttentiveNAS ``mbconv`` keys build the ``MBConv``
``build_attentive_net`` builds; AtomNAS curve keys build the pieces of an
``AtomicBlock``'s eval forward (expansion, one dw branch, the join of the
branches, BN/act/SE/projection/residual).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from ..estimators.latency import parse_key
from .classifier import ClassifierHead
from .layers import ConvBNAct, SqueezeExcite, make_act
from .mbconv import MBConv


class PooledClassifier(nn.Module):
    """Global pool -> flatten -> ClassifierHead (``StaticClassifier``'s neck + head)."""

    def __init__(self, cin: int, mid: int, classes: int, act: str):
        super().__init__()
        self.neck = nn.AdaptiveAvgPool2d(1)
        self.head = ClassifierHead(cin, classes, mid_channels=mid, act=act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(x).flatten(1))


class BranchJoin(nn.Module):
    """What joining ``branches`` dw outputs costs in ``AtomicBlock``'s eval
    forward: one ``torch.cat`` of as many tensors (the split before the dw
    convs only makes views)."""

    def __init__(self, channels: int, branches: int):
        super().__init__()
        base = channels // branches
        self.sizes = [base + (1 if i < channels % branches else 0) for i in range(branches)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(x.split(self.sizes, 1), 1)


class AtomTail(nn.Module):
    """``AtomicBlock`` after its dw convs: BN over all atoms -> act -> SE ->
    projection (1x1 + BN) [+ residual]."""

    def __init__(self, mid: int, cout: int, hw: int, residual: bool, se_hidden: int, act: str):
        super().__init__()
        self.bn_dw = nn.BatchNorm2d(mid)
        self.act = make_act(act)
        self.se = SqueezeExcite(mid, se_hidden, act, 'sigmoid') if se_hidden else nn.Identity()
        self.project = ConvBNAct(mid, cout, 1, act=None)
        # The block input the residual adds (a buffer: the probe has one input).
        self.register_buffer('shortcut', torch.randn(1, cout, hw, hw) if residual else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.project(self.se(self.act(self.bn_dw(x))))
        return y + self.shortcut if self.shortcut is not None else y


def probe_from_key(key: str) -> tuple[nn.Module, tuple[int, int, int]]:
    """(eval-mode module, input shape without batch) that ``key`` times."""
    kind, f, atoms = parse_key(key)
    if kind == 'stem':
        mod, shape = ConvBNAct(3, f['cout'], 3, f['stride'], act=f['act']), (3, f['hw'], f['hw'])
    elif kind == 'mbconv':
        mod = MBConv(f['cin'], f['cout'], f['mid'], f['kernel'], f['stride'],
                     has_expansion=bool(f['expansion']), se_hidden=f['se_hidden'])
        shape = (f['cin'], f['hw'], f['hw'])
    elif kind == 'head':
        mod, shape = ConvBNAct(f['cin'], f['cout'], 1, act=f['act']), (f['cin'], f['hw'], f['hw'])
    elif kind == 'classifier':
        mod = PooledClassifier(f['cin'], f['mid'], f['classes'], f['act'])
        shape = (f['cin'], f['hw'], f['hw'])
    else:
        if atoms is None or atoms < 1:
            raise ValueError(f'latency table key {key!r}: {kind} needs an atom count (@N, N >= 1)')
        if kind == 'atom_expand':
            mod, shape = ConvBNAct(f['cin'], atoms, 1, act=f['act']), (f['cin'], f['hw'], f['hw'])
        elif kind == 'atom_dw':
            k = f['kernel']
            mod = nn.Conv2d(atoms, atoms, k, f['stride'], k // 2, groups=atoms, bias=False)
            shape = (atoms, f['hw'], f['hw'])
        elif kind == 'atom_cat':
            if atoms < f['branches']:
                raise ValueError(f'latency table key {key!r}: fewer atoms than branches')
            mod, shape = BranchJoin(atoms, f['branches']), (atoms, f['hw'], f['hw'])
        else:  # atom_tail
            mod = AtomTail(atoms, f['cout'], f['hw'], bool(f['residual']), f['se_hidden'],
                           f['act'])
            shape = (atoms, f['hw'], f['hw'])
    return mod.eval(), shape


def build_timed_net(arch, space=None) -> nn.Module:
    """The whole classifier a table predicts (stem -> blocks -> head conv ->
    pool -> classifier), eval mode: what end-to-end measurements time."""
    from ..arch import AttentiveArch
    from .classifier import build_static_classifier
    kwargs = {'space': space} if isinstance(arch, AttentiveArch) and space is not None else {}
    return build_static_classifier(arch, **kwargs).eval()


def measure_arch_ms(arch, cfg, space=None) -> float:
    """Median end-to-end latency (ms) of ``arch`` under ``cfg`` (a TimingConfig)."""
    from .timing import measure_ms
    return measure_ms(build_timed_net(arch, space), (3, arch.resolution, arch.resolution), cfg)
