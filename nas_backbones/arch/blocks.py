"""Per-block configurations derived from an architecture, torch-free.

An arch says what was searched (widths, depths, kernels and expand ratios;
atoms per branch). How each block is built from it -- its input size,
hidden width, SE width, whether it has an expansion conv, what its shortcut
does, the head width -- is decided here and nowhere else, in the spirit of
torchvision's ``_MBConvConfig`` and timm's ``decode_arch_def``: the static
builders (``ops.static_net``), the supernets' plans, the FLOPs counter and
the latency-table keys (``estimators``), export and the config writers all
read these configs.

* ``block_configs(arch, space=None)``: one frozen config per block, in
  network order (``MBConvConfig`` for AttentiveNAS, ``AtomBlockConfig`` for
  AtomNAS).
* ``head_channels(arch)`` / ``classifier_channels(arch)``: the widths of the
  final 1x1 conv and of the classifier.
* ``atom_costs(arch)``: the FLOPs of one atom of each branch.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Optional, Sequence, Union

from .atomnas_arch import AtomNetArch
from .attentive_arch import NUM_STAGES, AttentiveArch, AttentiveSpace
from .common import make_divisible
from .zoo import default_attentive_space

# The MobileNetV3 head of AttentiveNAS: the final 1x1 conv widens the last
# stage 6x ("default expansion ratio: 6", the authors'
# models/attentive_nas_dynamic_model.py lines 98 and 238-239).
ATTENTIVE_HEAD_EXPANSION = 6
# Both families start with a stride-2 3x3 conv (AtomNAS has no stem stride
# setting; AttentiveNAS reads it from the space).
ATOMNAS_STEM_STRIDE = 2


def conv_out(size: int, stride: int) -> int:
    """Output size of a 'same'-padded odd-kernel conv: ceil(size / stride)."""
    return (size - 1) // stride + 1


@dataclass(frozen=True)
class BlockConfig:
    """What both families' inverted-residual blocks have.

    Args:
        cin (int): Input channels.
        cout (int): Output channels.
        stride (int): dw stride.
        size (int): Input height (= width).
        has_expansion (bool): Whether the 1x1 expansion conv exists (else
            the dw conv acts on the input).
        se_hidden (int): SE bottleneck; 0: no SE.
    """
    cin: int
    cout: int
    stride: int
    size: int
    has_expansion: bool
    se_hidden: int

    @property
    def hout(self) -> int:
        return conv_out(self.size, self.stride)

    @property
    def identity_shortcut(self) -> bool:
        """Stride 1 and as many channels out as in: the input itself is
        added to the block's output."""
        return self.stride == 1 and self.cin == self.cout


# ------------------------------------------------------------- AttentiveNAS
def attentive_block_expansion(cin: int, expand: int,
                              stage_expands: Sequence[int]) -> tuple[bool, int]:
    """(has the 1x1 expansion conv, middle channels) of an AttentiveNAS block.

    Middle channels are ``make_divisible(round(cin * t), 8)``. The authors'
    DynamicMBConvLayer builds the expansion conv for every block of a stage
    whose largest ratio is not 1 (models/modules/dynamic_layers.py lines
    36-43) and runs it at ratio 1 too, with ``make_divisible(round(cin * 1),
    8)`` middle channels (line 69): only a stage offering ratio 1 alone (the
    published mb1) skips it, and then the dw conv acts on the input.
    """
    if expand != 1 or max(stage_expands) != 1:
        return True, make_divisible(round(cin * expand), 8)
    return False, cin


def attentive_se_hidden(mid: int) -> int:
    """SE bottleneck of an AttentiveNAS block: ``make_divisible(mid // 4, 8)``."""
    return make_divisible(mid // 4, 8)


def attentive_head_channels(last_stage_width: int) -> int:
    """Width of the final 1x1 conv after a last stage of that width."""
    return ATTENTIVE_HEAD_EXPANSION * last_stage_width


@dataclass(frozen=True)
class MBConvConfig(BlockConfig):
    """One AttentiveNAS MBConv block: [expand 1x1] -> dw kxk -> [SE] ->
    project 1x1, plus its shortcut: the identity (``identity_shortcut``;
    only there the residual branch gets drop-connect), else an average pool
    when strided and a 1x1 conv when the widths differ.

    Args:
        (those of ``BlockConfig``; ``has_expansion`` from
        :func:`attentive_block_expansion`)
        mid (int): Hidden channels (``cin`` without expansion).
        kernel (int): dw kernel size.
    """
    mid: int
    kernel: int

    @property
    def shortcut_pool(self) -> bool:
        """The shortcut average-pools (kernel = stride) first."""
        return self.stride > 1

    @property
    def shortcut_conv(self) -> bool:
        """The shortcut has a 1x1 conv (no BN) to ``cout`` channels."""
        return self.cin != self.cout


class StageArgs(NamedTuple):
    """What decides the blocks of one AttentiveNAS stage (hashable: stage
    choices are few, so their blocks and costs are cached per stage)."""
    cin: int
    cout: int
    depth: int
    kernel: int
    expand: int
    expands: tuple[int, ...]  # the stage's expand choices (attentive_block_expansion)
    stride: int
    se: bool
    size: int


@lru_cache(maxsize=65536)
def attentive_stage_blocks(stage: StageArgs) -> tuple[MBConvConfig, ...]:
    """The blocks of one stage: the first has the stage's stride and input
    width, the others stride 1 and ``cout`` in and out."""
    out, cin, size = [], stage.cin, stage.size
    for d in range(stage.depth):
        stride = stage.stride if d == 0 else 1
        has_expansion, mid = attentive_block_expansion(cin, stage.expand, stage.expands)
        out.append(MBConvConfig(cin=cin, cout=stage.cout, stride=stride, size=size,
                                has_expansion=has_expansion,
                                se_hidden=attentive_se_hidden(mid) if stage.se else 0,
                                mid=mid, kernel=stage.kernel))
        cin, size = stage.cout, conv_out(size, stride)
    return tuple(out)


class AttentiveLayout(NamedTuple):
    """A subnet's parts in order: stem conv ``(cout, input size, stride)``,
    the seven stages, the head 1x1 ``(cin, cout, size)`` and the classifier
    ``(pooled width, pre-logits width, classes)``."""
    stem: tuple[int, int, int]
    stages: tuple[StageArgs, ...]
    head: tuple[int, int, int]
    classifier: tuple[int, int, int]


def attentive_layout(arch: AttentiveArch,
                     space: Optional[AttentiveSpace] = None) -> AttentiveLayout:
    """The stem, stages, head and classifier of ``arch``; strides and SE
    placement from ``space`` (default: the published space)."""
    space = space or default_attentive_space()
    size = conv_out(arch.resolution, space.stem_stride)
    stem = (arch.width[0], arch.resolution, space.stem_stride)
    stages, cin = [], arch.width[0]
    for s, st in enumerate(space.stages):
        cout = arch.width[s + 1]
        stages.append(StageArgs(cin, cout, arch.depth[s], arch.kernel[s], arch.expand[s],
                                tuple(st.expands), st.stride, st.se, size))
        cin, size = cout, conv_out(size, st.stride)
    feat = attentive_head_channels(cin)
    return AttentiveLayout(stem, tuple(stages), (cin, feat, size),
                           (feat, arch.width[NUM_STAGES + 1], arch.num_classes))


# ------------------------------------------------------------------ AtomNAS
def atomnas_se_hidden(cin: int, ratio: float) -> int:
    """SE bottleneck of an AtomNAS(+) block: ``round(ratio x block input
    channels)``, at least 1; 0 without SE (``ratio`` 0)."""
    return max(1, int(round(ratio * cin))) if ratio > 0 else 0


@dataclass(frozen=True)
class AtomBlockConfig(BlockConfig):
    """One AtomNAS atomic block as it is built: [expand 1x1] -> one dw conv
    per live branch -> BN -> act -> [SE] -> project 1x1 [+ residual].

    Args:
        (those of ``BlockConfig``; ``has_expansion`` is False for the first
        block only)
        index (int): Position in the net.
        branches (tuple[tuple[int, int]]): (kernel, atoms) of the live
            branches (a branch without atoms is not built).
    """
    index: int
    branches: tuple[tuple[int, int], ...]

    @property
    def mid(self) -> int:
        """Hidden channels: all live atoms (0: the block is the identity)."""
        return sum(a for _, a in self.branches)

    @property
    def has_residual(self) -> bool:
        """AtomNAS's name for ``identity_shortcut`` (``AtomicBlock.has_residual``)."""
        return self.identity_shortcut


def atomnas_block_configs(arch: AtomNetArch,
                          resolution: Optional[int] = None) -> tuple[AtomBlockConfig, ...]:
    """The blocks of ``arch`` at ``resolution`` (default: the arch's)."""
    size = conv_out(resolution or arch.resolution, ATOMNAS_STEM_STRIDE)
    out, cin = [], arch.stem_channels
    for i, b in enumerate(arch.blocks):
        out.append(AtomBlockConfig(cin=cin, cout=b.out_channels, stride=b.stride, size=size,
                                   has_expansion=b.has_expansion,
                                   se_hidden=atomnas_se_hidden(cin, arch.se_ratio),
                                   index=i, branches=tuple(b.live_branches())))
        cin, size = b.out_channels, conv_out(size, b.stride)
    return tuple(out)


def atom_costs(arch: AtomNetArch) -> dict[int, dict[int, int]]:
    """Per block with an expansion conv, the FLOPs of one atom of each of
    its kernel sizes (live or not), under the AtomNAS convention.

    Atom i of a block is expansion channel i, its dw kxk filter and
    projection input column i: ``Cin*Hin^2 + k^2*Hout^2 + Cout*Hout^2``;
    with SE also its share of the two SE 1x1 convs (``2 * se_hidden``) and
    of the gating multiply (``Hout^2``). The FLOPs of a block are the sum of
    its atoms' costs, so removing atoms lowers ``estimators.count_cost``
    by exactly the sum of theirs (tests/test_ops/test_atom_shrink.py).
    """
    costs = {}
    for b, row in zip(atomnas_block_configs(arch), arch.blocks):
        if not b.has_expansion:
            continue
        out_px = b.hout * b.hout
        shared = b.cin * b.size * b.size + b.cout * out_px
        if b.se_hidden:
            shared += 2 * b.se_hidden + out_px
        costs[b.index] = {k: shared + k * k * out_px for k in row.kernel_sizes}
    return costs


# ------------------------------------------------------------------ either
Arch = Union[AtomNetArch, AttentiveArch]


def block_configs(arch: Arch, space: Optional[AttentiveSpace] = None) -> tuple:
    """The blocks of ``arch`` in network order: ``MBConvConfig`` for an
    AttentiveNAS arch (strides and SE from ``space``, default the published
    one), ``AtomBlockConfig`` for an AtomNAS arch."""
    if isinstance(arch, AttentiveArch):
        return tuple(b for st in attentive_layout(arch, space).stages
                     for b in attentive_stage_blocks(st))
    if isinstance(arch, AtomNetArch):
        return atomnas_block_configs(arch)
    raise TypeError(f'arch: expected AtomNetArch or AttentiveArch, got {type(arch).__name__}')


def head_channels(arch: Arch) -> int:
    """Width of the final 1x1 conv, i.e. of the pooled features:
    ``6 x width[7]`` for AttentiveNAS, ``last_channel`` for AtomNAS."""
    if isinstance(arch, AttentiveArch):
        return attentive_head_channels(arch.width[NUM_STAGES])
    if isinstance(arch, AtomNetArch):
        return arch.last_channels
    raise TypeError(f'arch: expected AtomNetArch or AttentiveArch, got {type(arch).__name__}')


def classifier_channels(arch: Arch) -> tuple[int, int, int]:
    """(pooled width, pre-logits width, classes) of the classifier: the
    AttentiveNAS head has a linear to ``width[8]`` before the fc (the
    MobileNetV3 head's last 1x1 conv); AtomNAS has none (0)."""
    mid = arch.width[NUM_STAGES + 1] if isinstance(arch, AttentiveArch) else 0
    return head_channels(arch), mid, arch.num_classes
