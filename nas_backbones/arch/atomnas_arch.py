"""AtomNAS-space architectures: MobileNetV2-like nets whose blocks are sums of
atoms, one dw kernel size per branch (docs/methods/atomnas.md#search-space).

The file format follows the authors' released files (meijieru/AtomNAS
``apps/searched/models/atomnas_*.yml``): each row of
``inverted_residual_setting`` is ``[out_channels, repeats, stride,
kernel_sizes, atoms_per_kernel_size, has_expansion_conv]``. Our own files use
the same keys plus ``type: atomnas`` and the optional ``act``/``se_ratio``
fields of the + variants.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .common import ACTIVATIONS, ArchFile, FlowList, check_choice, check_int_list, check_keys

ATOMNAS_KERNELS = (3, 5, 7)


@dataclass(frozen=True)
class AtomBlockArch:
    """One atomic (mixed-kernel inverted-residual) block.

    Args:
        out_channels (int): Output channels of the projection 1x1.
        stride (int): Stride of the dw convs (1 or 2).
        kernel_sizes (tuple[int]): dw kernel size of each branch.
        atoms (tuple[int]): Atoms (hidden channels) of each branch; 0 means
            the branch is gone.
        has_expansion (bool): False for the first block, whose dw convs act
            on the block input directly (atoms == input channels).
    """
    out_channels: int
    stride: int
    kernel_sizes: tuple[int, ...]
    atoms: tuple[int, ...]
    has_expansion: bool = True

    @property
    def num_atoms(self) -> int:
        return sum(self.atoms)

    def live_branches(self) -> list[tuple[int, int]]:
        """(kernel, atoms) of the branches that still have atoms."""
        return [(k, a) for k, a in zip(self.kernel_sizes, self.atoms) if a > 0]


@dataclass(frozen=True)
class AtomNetArch(ArchFile):
    """A whole AtomNAS network.

    Args:
        stem_channels (int): Width of the stride-2 3x3 stem conv.
        blocks (tuple[AtomBlockArch]): The blocks, in order.
        last_channels (int): Width of the final 1x1 conv. Defaults to 1280.
        act (str): 'relu' (A/B/C) or 'swish' (+ variants).
        se_ratio (float): SE bottleneck as a fraction of the block input
            channels; 0 disables SE (A/B/C), 0.5 for the + variants.
        num_classes (int): Classifier outputs. Defaults to 1000.
        resolution (int): Input size the FLOPs are quoted at. Defaults to 224.
        dropout (float): Dropout before the classifier.
        name (str): Optional name (e.g. 'atomnas_a').
    """
    stem_channels: int
    blocks: tuple[AtomBlockArch, ...]
    last_channels: int = 1280
    act: str = 'relu'
    se_ratio: float = 0.0
    num_classes: int = 1000
    resolution: int = 224
    dropout: float = 0.2
    name: str = ''
    family: str = field(default='atomnas', init=False)

    def __post_init__(self):
        validate_atomnas_arch(self)

    @property
    def num_atoms(self) -> int:
        return sum(b.num_atoms for b in self.blocks if b.has_expansion)

    def stages(self) -> list[list[int]]:
        """Block indices grouped into stages: a stage ends where the output
        width changes (MobileNetV2's table rows), so out_indices line up with
        the rows of the supernet table (``ATOMNAS_SUPERNET_SETTING``)."""
        stages: list[list[int]] = []
        for i, b in enumerate(self.blocks):
            if stages and self.blocks[stages[-1][-1]].out_channels == b.out_channels:
                stages[-1].append(i)
            else:
                stages.append([i])
        return stages

    def with_atoms(self, atoms: list[tuple[int, ...]]) -> 'AtomNetArch':
        """Same net with new per-branch atom counts (used after shrinking)."""
        if len(atoms) != len(self.blocks):
            raise ValueError(f'atoms: expected {len(self.blocks)} blocks, got {len(atoms)}')
        blocks = tuple(dataclasses.replace(b, atoms=tuple(a)) for b, a in zip(self.blocks, atoms))
        return self.replace(blocks=blocks)

    # ----------------------------------------------------------------- I/O
    def to_dict(self) -> dict:
        return {
            'type': 'atomnas',
            'name': self.name,
            'input_channel': self.stem_channels,
            'last_channel': self.last_channels,
            'act': self.act,
            'se_ratio': self.se_ratio,
            'num_classes': self.num_classes,
            'resolution': self.resolution,
            'dropout': self.dropout,
            'inverted_residual_setting': [
                FlowList([b.out_channels, 1, b.stride, list(b.kernel_sizes), list(b.atoms),
                          b.has_expansion])
                for b in self.blocks
            ],
        }

    @classmethod
    def from_dict(cls, data: dict, **overrides) -> 'AtomNetArch':
        """Read our arch format or the authors' ``model_kwparams`` as is: the
        ``.yml`` that ``save_status`` writes beside each checkpoint
        (``output_network``: ``active_fn``, ``width_mult``, ``round_nearest``)
        and the ``MobileNetSearched`` kwargs of their + configs (``se_ratio``,
        ``block``, ``dropout_ratio``)."""
        allowed = ('type', 'name', 'input_channel', 'last_channel', 'act', 'active_fn', 'se_ratio',
                   'num_classes', 'resolution', 'dropout', 'dropout_ratio', 'block', 'width_mult',
                   'round_nearest', 'inverted_residual_setting')
        check_keys('atomnas arch', data, allowed, required=('input_channel', 'inverted_residual_setting'))
        if data.get('type', 'atomnas') != 'atomnas':
            raise ValueError(f"type: expected 'atomnas', got {data['type']!r}")
        # The published files were written for width_mult 1.0 / round 8 only.
        if data.get('width_mult', 1.0) != 1.0:
            raise ValueError(f"width_mult: only 1.0 is supported, got {data['width_mult']!r}")
        act = data.get('act')
        if act is None:
            # models/mobilenet_base.py: get_active_fn names ('Swish'/'nn.SiLU' are ours).
            act = {'nn.ReLU': 'relu', 'nn.Swish': 'swish', 'Swish': 'swish',
                   'nn.SiLU': 'swish'}.get(data.get('active_fn', 'nn.ReLU'))
            if act is None:
                raise ValueError(f"active_fn: unsupported activation {data['active_fn']!r}; "
                                 f"expected 'nn.ReLU' or 'nn.Swish'")
        elif 'active_fn' in data:
            raise ValueError("active_fn: give either 'act' or the authors' 'active_fn', not both")
        # The authors write `se_ratio: ~` (None) for no SE.
        se_ratio = data.get('se_ratio') or 0.0
        block = data.get('block', 'InvertedResidualChannels')
        # Both layouts compute the same function (AtomicBlock); only the authors'
        # fused block has SE (searched_network.py raises otherwise).
        if block not in ('InvertedResidualChannels', 'InvertedResidualChannelsFused'):
            raise ValueError(f"block: expected 'InvertedResidualChannels' or "
                             f"'InvertedResidualChannelsFused', got {block!r}")
        if se_ratio and block != 'InvertedResidualChannelsFused' and 'block' in data:
            raise ValueError(f'block: SE (se_ratio {se_ratio}) needs '
                             f"'InvertedResidualChannelsFused', got {block!r}")
        if 'dropout' in data and 'dropout_ratio' in data:
            raise ValueError("dropout: give either 'dropout' or the authors' 'dropout_ratio', "
                             "not both")
        dropout = data.get('dropout', data.get('dropout_ratio', 0.2))
        rows = data['inverted_residual_setting']
        if not isinstance(rows, (list, tuple)) or not rows:
            raise ValueError('inverted_residual_setting: expected a non-empty list of rows')
        blocks = []
        for i, row in enumerate(rows):
            where = f'inverted_residual_setting[{i}]'
            if not isinstance(row, (list, tuple)) or len(row) != 6:
                raise ValueError(f'{where}: expected [out_channels, repeats, stride, kernel_sizes, '
                                 f'atoms, has_expansion], got {row!r}')
            c, n, s, ks, atoms, expand = row
            if n != 1:
                # Every row of a searched net is one block; repeats would
                # duplicate atom counts that were searched per block.
                raise ValueError(f'{where}.repeats: only 1 is supported, got {n!r}')
            if not isinstance(expand, bool):
                raise ValueError(f'{where}.has_expansion: expected true/false, got {expand!r}')
            blocks.append(AtomBlockArch(out_channels=c, stride=s, kernel_sizes=tuple(ks) if isinstance(ks, (list, tuple)) else ks,
                                        atoms=tuple(atoms) if isinstance(atoms, (list, tuple)) else atoms,
                                        has_expansion=expand))
        kwargs = dict(stem_channels=data['input_channel'], blocks=tuple(blocks),
                      last_channels=data.get('last_channel', 1280), act=act,
                      se_ratio=se_ratio, num_classes=data.get('num_classes', 1000),
                      resolution=data.get('resolution', 224), dropout=dropout,
                      name=data.get('name', ''))
        kwargs.update(overrides)
        return cls(**kwargs)


def validate_atomnas_arch(arch: AtomNetArch) -> None:
    """Raise ValueError naming the offending field and value."""
    check_int_list('input_channel', [arch.stem_channels])
    check_int_list('last_channel', [arch.last_channels])
    check_int_list('num_classes', [arch.num_classes])
    check_int_list('resolution', [arch.resolution], minimum=32)
    check_choice('act', arch.act, ACTIVATIONS)
    if not isinstance(arch.se_ratio, (int, float)) or not 0 <= arch.se_ratio <= 1:
        raise ValueError(f'se_ratio: expected a number in [0, 1], got {arch.se_ratio!r}')
    if not isinstance(arch.dropout, (int, float)) or not 0 <= arch.dropout < 1:
        raise ValueError(f'dropout: expected a number in [0, 1), got {arch.dropout!r}')
    cin = arch.stem_channels
    for i, b in enumerate(arch.blocks):
        where = f'inverted_residual_setting[{i}]'
        check_int_list(f'{where}.out_channels', [b.out_channels])
        check_choice(f'{where}.stride', b.stride, (1, 2))
        ks = check_int_list(f'{where}.kernel_sizes', b.kernel_sizes)
        for j, k in enumerate(ks):
            check_choice(f'{where}.kernel_sizes[{j}]', k, ATOMNAS_KERNELS)
        if len(set(ks)) != len(ks):
            raise ValueError(f'{where}.kernel_sizes: repeated kernel size in {list(ks)}')
        atoms = check_int_list(f'{where}.atoms', b.atoms, length=len(ks), minimum=0)
        if not b.has_expansion:
            if i != 0:
                raise ValueError(f'{where}.has_expansion: only the first block may lack the '
                                 f'expansion conv')
            if sum(atoms) != cin or len(ks) != 1:
                raise ValueError(f'{where}.atoms: a block without expansion conv has one branch '
                                 f'with atoms == input channels ({cin}), got {list(atoms)}')
        if sum(atoms) == 0 and not (b.stride == 1 and cin == b.out_channels):
            # Without a residual a block with no atoms would output zeros.
            raise ValueError(f'{where}.atoms: all zero but the block has no residual '
                             f'(stride {b.stride}, {cin} -> {b.out_channels} channels)')
        cin = b.out_channels


# The supernet table ``t, c, n, s`` (meijieru/AtomNAS apps/mobilenet/models/
# fix_first/supernet_single_path_nas.yml), kernels [3,5,7] except stage 1.
ATOMNAS_SUPERNET_SETTING = (
    # t, c, n, s
    (1, 16, 1, 1),
    (6, 24, 4, 2),
    (6, 40, 4, 2),
    (6, 80, 4, 2),
    (6, 96, 4, 1),
    (6, 192, 4, 2),
    (6, 320, 1, 1),
)


def atomnas_supernet_arch(stem_channels: int = 32, kernel_sizes=(3, 5, 7), num_classes: int = 1000,
                          last_channels: int = 1280, act: str = 'relu', se_ratio: float = 0.0,
                          setting=ATOMNAS_SUPERNET_SETTING, resolution: int = 224,
                          dropout: float = 0.2) -> AtomNetArch:
    """The full AtomNAS supernet as an arch: every searchable branch has
    ``t * Cin`` atoms; the first (t=1) block is a plain dw 3x3
    (docs/methods/atomnas.md#the-supernet)."""
    blocks, cin = [], stem_channels
    for t, c, n, s in setting:
        for i in range(n):
            if t == 1:
                blocks.append(AtomBlockArch(c, s if i == 0 else 1, (3,), (cin,), has_expansion=False))
            else:
                ks = tuple(kernel_sizes)
                blocks.append(AtomBlockArch(c, s if i == 0 else 1, ks, (t * cin,) * len(ks)))
            cin = c
    return AtomNetArch(stem_channels=stem_channels, blocks=tuple(blocks), last_channels=last_channels,
                       act=act, se_ratio=se_ratio, num_classes=num_classes, resolution=resolution,
                       dropout=dropout, name=f'atomnas_supernet_stem{stem_channels}')
