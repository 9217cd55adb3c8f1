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
from typing import NamedTuple, Optional, Sequence, Union

from ..arch import AtomNetArch, AttentiveArch, AttentiveSpace, default_attentive_space, make_divisible

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


def conv_out(size: int, stride: int) -> int:
    """Output size of a 'same'-padded odd-kernel conv: ceil(size / stride)."""
    return (size - 1) // stride + 1


def se_hidden_atomnas(cin: int, ratio: float) -> int:
    # AtomNAS+ SE: hidden = round(ratio x block input channels).
    return max(1, int(round(ratio * cin)))


class AtomBlockShape(NamedTuple):
    """One AtomNAS block as the static net builds it: the unit both the FLOPs
    count and the latency table (``estimators.latency``) walk."""
    index: int
    cin: int
    cout: int
    size: int  # input height = width
    stride: int
    branches: tuple[tuple[int, int], ...]  # (kernel, atoms) of the live branches
    has_expansion: bool
    se_hidden: int  # 0: no SE

    @property
    def hout(self) -> int:
        return conv_out(self.size, self.stride)

    @property
    def mid(self) -> int:
        return sum(a for _, a in self.branches)

    @property
    def has_residual(self) -> bool:
        return self.stride == 1 and self.cin == self.cout


def atomnas_block_shapes(arch: AtomNetArch, resolution: Optional[int] = None) -> list[AtomBlockShape]:
    """The blocks of ``arch`` (input size after the stride-2 stem)."""
    size = conv_out(resolution or arch.resolution, 2)
    shapes, cin = [], arch.stem_channels
    for i, b in enumerate(arch.blocks):
        se = se_hidden_atomnas(cin, arch.se_ratio) if arch.se_ratio > 0 else 0
        shapes.append(AtomBlockShape(i, cin, b.out_channels, size, b.stride,
                                     tuple(b.live_branches()), b.has_expansion, se))
        cin, size = b.out_channels, conv_out(size, b.stride)
    return shapes


def count_atomnas(arch: AtomNetArch, convention: str = 'atomnas',
                  resolution: Optional[int] = None, head: bool = True,
                  keep_layers: bool = True) -> Cost:
    """Cost of an AtomNAS-space net. Module names match the static model."""
    counts_pool = convention == 'atomnas'
    cost = Cost(keep_layers=keep_layers)
    size = conv_out(resolution or arch.resolution, 2)
    cost.conv('backbone.stem.conv', 3, arch.stem_channels, 3, size)
    cin = arch.stem_channels
    for b in atomnas_block_shapes(arch, resolution):
        name, hout, mid = f'backbone.blocks.{b.index}', b.hout, b.mid
        if mid > 0:
            if b.has_expansion:
                cost.conv(f'{name}.expand', b.cin, mid, 1, b.size)
            for k, a in b.branches:
                cost.conv(f'{name}.dw{k}', a, a, k, hout, groups=a)
            if b.se_hidden:
                cost.conv(f'{name}.se.reduce', mid, b.se_hidden, 1, 1, bias=True)
                cost.conv(f'{name}.se.expand', b.se_hidden, mid, 1, 1, bias=True)
                if counts_pool:
                    cost.add(f'{name}.se.gate', 'mul', mid * hout * hout)
            cost.conv(f'{name}.project', mid, b.cout, 1, hout)
        cin, size = b.cout, hout
    cost.conv('backbone.head', cin, arch.last_channels, 1, size)
    if head:
        if counts_pool:
            cost.add('neck.gap', 'avgpool', arch.last_channels * size * size)
        cost.linear('head.fc', arch.last_channels, arch.num_classes)
    return cost


def attentive_block_mid(cin: int, expand: int) -> int:
    # AttentiveNAS: middle channels = make_divisible(round(cin * t), 8).
    return make_divisible(round(cin * expand), 8)


def attentive_block_expansion(cin: int, expand: int,
                              stage_expands: Sequence[int]) -> tuple[bool, int]:
    """(has the 1x1 expansion conv, middle channels) of an AttentiveNAS block.

    The authors' DynamicMBConvLayer builds the expansion conv for every block
    of a stage whose largest ratio is not 1 (models/modules/dynamic_layers.py
    lines 36-43) and runs it at ratio 1 too, with
    ``make_divisible(round(cin * 1), 8)`` middle channels (line 69): only a
    stage offering ratio 1 alone (the published mb1) skips it.
    """
    if expand != 1 or max(stage_expands) != 1:
        return True, attentive_block_mid(cin, expand)
    return False, cin


def attentive_se_hidden(mid: int) -> int:
    return make_divisible(mid // 4, 8)


class MBConvShape(NamedTuple):
    """One AttentiveNAS MBConv block as the static net builds it: the unit both
    the FLOPs count and the latency table (``estimators.latency``) walk."""
    cin: int
    mid: int
    cout: int
    kernel: int
    stride: int
    size: int  # input height = width
    se_hidden: int  # 0: no SE
    has_expansion: bool

    @property
    def hout(self) -> int:
        return conv_out(self.size, self.stride)


@lru_cache(maxsize=65536)
def attentive_stage_shapes(cin: int, cout: int, depth: int, kernel: int, expand: int,
                           expands: tuple[int, ...], stride0: int, se: bool,
                           size: int) -> tuple[MBConvShape, ...]:
    """The blocks of one MBConv stage: the first has the stage's stride and
    input width, the others stride 1 and ``cout`` in and out."""
    out = []
    for d in range(depth):
        stride = stride0 if d == 0 else 1
        has_expansion, mid = attentive_block_expansion(cin, expand, expands)
        out.append(MBConvShape(cin, mid, cout, kernel, stride, size,
                               attentive_se_hidden(mid) if se else 0, has_expansion))
        cin, size = cout, conv_out(size, stride)
    return tuple(out)


class StageArgs(NamedTuple):
    """Arguments of ``attentive_stage_shapes`` for one stage of a subnet."""
    cin: int
    cout: int
    depth: int
    kernel: int
    expand: int
    expands: tuple[int, ...]  # the stage's expand choices (attentive_block_expansion)
    stride: int
    se: bool
    size: int


class AttentiveLayout(NamedTuple):
    """A subnet's parts in order: stem conv ``(cout, input size, stride)``,
    the seven stages, the head 1x1 ``(cin, cout, size)`` and the classifier
    ``(pooled width, pre-logits width, classes)``."""
    stem: tuple[int, int, int]
    stages: tuple[StageArgs, ...]
    head: tuple[int, int, int]
    classifier: tuple[int, int, int]


def attentive_layout(arch: AttentiveArch, space: Optional[AttentiveSpace] = None) -> AttentiveLayout:
    space = space or default_attentive_space()
    size = conv_out(arch.resolution, space.stem_stride)
    stem = (arch.width[0], arch.resolution, space.stem_stride)
    stages, cin = [], arch.width[0]
    for s, st in enumerate(space.stages):
        cout = arch.width[s + 1]
        stages.append(StageArgs(cin, cout, arch.depth[s], arch.kernel[s], arch.expand[s],
                                tuple(st.expands), st.stride, st.se, size))
        cin, size = cout, conv_out(size, st.stride)
    feat = cin * 6
    return AttentiveLayout(stem, tuple(stages), (cin, feat, size),
                           (feat, arch.width[8], arch.num_classes))


def _attentive_stage(cost: Cost, idx: int, cin: int, cout: int, depth: int, kernel: int,
                     expand: int, expands: tuple[int, ...], stride0: int, se: bool, size: int,
                     counts_pool: bool) -> int:
    """Add one MBConv stage's layers to ``cost``; returns the output size."""
    for d, b in enumerate(attentive_stage_shapes(cin, cout, depth, kernel, expand, expands,
                                                 stride0, se, size)):
        name, hout, mid = f'backbone.blocks.{idx + d}', b.hout, b.mid
        if b.has_expansion:
            cost.conv(f'{name}.expand', b.cin, mid, 1, b.size)
        cost.conv(f'{name}.dw', mid, mid, b.kernel, hout, groups=mid)
        if b.se_hidden:
            cost.conv(f'{name}.se.reduce', mid, b.se_hidden, 1, 1, bias=True)
            cost.conv(f'{name}.se.expand', b.se_hidden, mid, 1, 1, bias=True)
            if counts_pool:
                cost.add(f'{name}.se.gate', 'mul', mid * hout * hout)
        cost.conv(f'{name}.project', mid, b.cout, 1, hout)
        if b.stride == 1 and b.cin == b.cout:
            if not counts_pool:
                # The published AttentiveNAS params (A0 9.033 M ...) come
                # from the original static model, whose ShortcutLayer keeps a
                # 1x1 conv even where the shortcut is the identity and the conv
                # is never run. Count it as a params-only 'unused' row; our
                # static model does not build it (see Cost.module_params).
                cost.add(f'{name}.shortcut.unused_conv', UNUSED, 0, b.cin * b.cout,
                         f'{b.cin}->{b.cout}')
        else:
            if b.stride > 1 and counts_pool:
                cost.add(f'{name}.shortcut.pool', 'avgpool', b.cin * b.size * b.size)
            if b.cin != b.cout:
                cost.conv(f'{name}.shortcut.conv', b.cin, b.cout, 1, hout)
        size = hout
    return size


@lru_cache(maxsize=65536)
def _attentive_stage_totals(*args) -> tuple[int, int]:
    # Stage choices are few, so samplers and search (which count thousands of
    # archs per second) reuse each stage's totals.
    cost = Cost(keep_layers=False)
    _attentive_stage(cost, 0, *args)
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
        args = (*st, counts_pool)
        if keep_layers:
            _attentive_stage(cost, idx, *args)
        else:
            flops, params = _attentive_stage_totals(*args)
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
