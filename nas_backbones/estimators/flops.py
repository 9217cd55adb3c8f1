"""Analytic FLOPs (multiply-adds) and params of an architecture, no torch.

Conv ``Cin*Cout*k*k*Hout*Wout/groups``, linear ``in*out``; BN, activations
and residual adds cost 0. Two conventions (docs/flops_conventions.md):

* ``'atomnas'``: also every average pool (``C*Hin*Win``) and the SE gating
  multiply (``C*H*W`` of the gated tensor).
* ``'attentivenas'``: conv and linear only (the SE's 1x1 convs count).

Params are conv/linear weights and biases; BN affine parameters are excluded.
Under the AttentiveNAS convention params also include the never-run 1x1 conv
of identity shortcuts, as the published numbers do (``Cost.module_params``
leaves it out).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional, Union

from ..arch import AtomNetArch, AttentiveArch, AttentiveSpace
from ..arch.blocks import (ATOMNAS_STEM_STRIDE, StageArgs, atomnas_block_configs, attentive_layout,
                           attentive_stage_blocks, conv_out)

CONVENTIONS = ('atomnas', 'attentivenas')
UNUSED = 'unused'


@dataclass(frozen=True)
class LayerCost:
    """One counted layer: ``name`` follows the static model's module path."""
    name: str
    kind: str
    flops: int
    params: int
    shape: str = ''


@dataclass
class Cost:
    """FLOPs (MACs) and params of a whole net, with per-layer rows."""
    flops: int = 0
    params: int = 0
    layers: list[LayerCost] = field(default_factory=list)
    keep_layers: bool = True  # False: totals only (samplers/search count many archs)

    @property
    def mflops(self) -> float:
        return self.flops / 1e6

    @property
    def mparams(self) -> float:
        return self.params / 1e6

    @property
    def module_params(self) -> int:
        """Params of the layers our static model builds (no 'unused' rows)."""
        return self.params - sum(r.params for r in self.layers if r.kind == UNUSED)

    def add(self, name: str, kind: str, flops: int, params: int = 0, shape: str = '') -> None:
        if self.keep_layers:
            self.layers.append(LayerCost(name, kind, int(flops), int(params), shape))
        self.flops += int(flops)
        self.params += int(params)

    def conv(self, name: str, cin: int, cout: int, k: int, hout: int, groups: int = 1,
             bias: bool = False) -> None:
        weights = cin * cout * k * k // groups
        if not self.keep_layers:
            self.flops += weights * hout * hout
            self.params += weights + (cout if bias else 0)
            return
        self.add(name, f'conv{k}x{k}' + ('dw' if groups > 1 and groups == cin else ''),
                 weights * hout * hout, weights + (cout if bias else 0), f'{cin}->{cout}@{hout}')

    def linear(self, name: str, cin: int, cout: int, bias: bool = True) -> None:
        if not self.keep_layers:
            self.flops += cin * cout
            self.params += cin * cout + (cout if bias else 0)
            return
        self.add(name, 'linear', cin * cout, cin * cout + (cout if bias else 0), f'{cin}->{cout}')

    def table(self) -> str:
        rows = [f'{"layer":<40} {"kind":<10} {"shape":<18} {"MFLOPs":>10} {"params":>10}']
        rows += [f'{r.name:<40} {r.kind:<10} {r.shape:<18} {r.flops / 1e6:>10.3f} {r.params:>10d}'
                 for r in self.layers]
        rows.append(f'{"total":<40} {"":<10} {"":<18} {self.mflops:>10.2f} {self.params:>10d}')
        return '\n'.join(rows)


def _inverted_residual(cost: Cost, name: str, cin: int, mid: int, cout: int, size: int,
                       hout: int, has_expansion: bool, dws: Iterable[tuple[str, int, int]],
                       se_hidden: int, counts_pool: bool) -> None:
    """The residual branch both families share: [expand 1x1] -> dw convs
    ``(name, channels, kernel)`` -> [SE] -> project 1x1."""
    if has_expansion:
        cost.conv(f'{name}.expand', cin, mid, 1, size)
    for dw, channels, k in dws:
        cost.conv(f'{name}.{dw}', channels, channels, k, hout, groups=channels)
    if se_hidden:
        cost.conv(f'{name}.se.reduce', mid, se_hidden, 1, 1, bias=True)
        cost.conv(f'{name}.se.expand', se_hidden, mid, 1, 1, bias=True)
        if counts_pool:
            cost.add(f'{name}.se.gate', 'mul', mid * hout * hout)
    cost.conv(f'{name}.project', mid, cout, 1, hout)


def count_atomnas(arch: AtomNetArch, convention: str = 'atomnas',
                  resolution: Optional[int] = None, head: bool = True,
                  keep_layers: bool = True) -> Cost:
    """Cost of an AtomNAS-space net. Module names match the static model."""
    counts_pool = convention == 'atomnas'
    cost = Cost(keep_layers=keep_layers)
    size = conv_out(resolution or arch.resolution, ATOMNAS_STEM_STRIDE)
    cost.conv('backbone.stem.conv', 3, arch.stem_channels, 3, size)
    cin = arch.stem_channels
    for b in atomnas_block_configs(arch, resolution):
        if b.mid > 0:  # else the block is the identity
            _inverted_residual(cost, f'backbone.blocks.{b.index}', b.cin, b.mid, b.cout, b.size,
                               b.hout, b.has_expansion, ((f'dw{k}', a, k) for k, a in b.branches),
                               b.se_hidden, counts_pool)
        cin, size = b.cout, b.hout
    cost.conv('backbone.head', cin, arch.last_channels, 1, size)
    if head:
        if counts_pool:
            cost.add('neck.gap', 'avgpool', arch.last_channels * size * size)
        cost.linear('head.fc', arch.last_channels, arch.num_classes)
    return cost


def _attentive_stage(cost: Cost, idx: int, stage: StageArgs, counts_pool: bool) -> None:
    """Add one MBConv stage's layers to ``cost`` (its first block is ``idx``)."""
    for d, b in enumerate(attentive_stage_blocks(stage)):
        name = f'backbone.blocks.{idx + d}'
        _inverted_residual(cost, name, b.cin, b.mid, b.cout, b.size, b.hout, b.has_expansion,
                           (('dw', b.mid, b.kernel),), b.se_hidden, counts_pool)
        if b.identity_shortcut:
            if not counts_pool:
                # The published AttentiveNAS params (A0 9.033 M ...) come from
                # the original static model, whose ShortcutLayer keeps a 1x1
                # conv even where the shortcut is the identity and the conv is
                # never run. Count it as a params-only 'unused' row; our
                # static model does not build it (see Cost.module_params).
                cost.add(f'{name}.shortcut.unused_conv', UNUSED, 0, b.cin * b.cout,
                         f'{b.cin}->{b.cout}')
            continue
        if b.shortcut_pool and counts_pool:
            cost.add(f'{name}.shortcut.pool', 'avgpool', b.cin * b.size * b.size)
        if b.shortcut_conv:
            cost.conv(f'{name}.shortcut.conv', b.cin, b.cout, 1, b.hout)


@lru_cache(maxsize=65536)
def _attentive_stage_totals(stage: StageArgs, counts_pool: bool) -> tuple[int, int]:
    # Stage choices are few, so samplers and search (which count thousands of
    # archs per second) reuse each stage's totals.
    cost = Cost(keep_layers=False)
    _attentive_stage(cost, 0, stage, counts_pool)
    return cost.flops, cost.params


def count_attentive(arch: AttentiveArch, space: Optional[AttentiveSpace] = None,
                    convention: str = 'attentivenas', head: bool = True,
                    keep_layers: bool = True) -> Cost:
    """Cost of an AttentiveNAS subnet. Module names match the static model."""
    layout = attentive_layout(arch, space)
    counts_pool = convention == 'atomnas'
    cost = Cost(keep_layers=keep_layers)
    stem_c, res, stem_stride = layout.stem
    cost.conv('backbone.stem.conv', 3, stem_c, 3, conv_out(res, stem_stride))
    idx = 0
    for st in layout.stages:
        if keep_layers:
            _attentive_stage(cost, idx, st, counts_pool)
        else:
            flops, params = _attentive_stage_totals(st, counts_pool)
            cost.flops += flops
            cost.params += params
        idx += st.depth
    cin, feat, size = layout.head
    cost.conv('backbone.head', cin, feat, 1, size)
    if head:
        feat, mid, classes = layout.classifier
        if counts_pool:
            cost.add('neck.gap', 'avgpool', feat * size * size)
        cost.linear('head.mid_fc', feat, mid, bias=False)
        cost.linear('head.fc', mid, classes)
    return cost


def count_cost(arch: Union[AtomNetArch, AttentiveArch], convention: Optional[str] = None,
               space: Optional[AttentiveSpace] = None, head: bool = True,
               keep_layers: bool = True) -> Cost:
    """FLOPs/params of ``arch`` under ``convention`` (default: the family's own).

    Args:
        arch: An AtomNAS or AttentiveNAS arch.
        convention (str, optional): 'atomnas' or 'attentivenas'.
        space (AttentiveSpace, optional): strides/SE placement for
            AttentiveNAS archs. Defaults to the published space.
        head (bool): Count the pool and classifier too. Defaults to True.
        keep_layers (bool): Keep per-layer rows. Defaults to True.
    """
    convention = convention or arch.family
    if convention not in CONVENTIONS:
        raise ValueError(f'convention: {convention!r} not in {CONVENTIONS}')
    if isinstance(arch, AtomNetArch):
        return count_atomnas(arch, convention, head=head, keep_layers=keep_layers)
    if isinstance(arch, AttentiveArch):
        return count_attentive(arch, space, convention, head=head, keep_layers=keep_layers)
    raise TypeError(f'arch: expected AtomNetArch or AttentiveArch, got {type(arch).__name__}')


def count_flops(arch, convention: Optional[str] = None, space: Optional[AttentiveSpace] = None) -> int:
    """Fast path for samplers/search: total FLOPs only."""
    return count_cost(arch, convention, space, keep_layers=False).flops
