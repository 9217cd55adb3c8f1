"""AttentiveNAS-space architectures and their search space
(docs/methods/attentivenas.md#search-space).

An arch is ``resolution, width[9], depth[7], kernel[7], expand[7]``:
width[0] is the stem, width[1..7] the seven MBConv stages, width[8] the last
1x1 conv. The space is read from the published training config
(facebookresearch/AttentiveNAS ``configs/train_attentive_nas_models.yml``:
``supernet_config``).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .common import ArchFile, check_int_list, check_keys, read_mapping, write_mapping

NUM_STAGES = 7
ARCH_DIMS = ('width', 'depth', 'kernel', 'expand')


@dataclass(frozen=True)
class AttentiveArch(ArchFile):
    """One AttentiveNAS subnet.

    Args:
        resolution (int): Input image size.
        width (tuple[int]): 9 widths: stem, 7 stages, last conv.
        depth (tuple[int]): Blocks per stage (7).
        kernel (tuple[int]): dw kernel per stage (7).
        expand (tuple[int]): Expansion ratio per stage (7).
        name (str): Optional name ('a0', ...).
    """
    resolution: int
    width: tuple[int, ...]
    depth: tuple[int, ...]
    kernel: tuple[int, ...]
    expand: tuple[int, ...]
    name: str = ''
    num_classes: int = 1000
    dropout: float = 0.2

    family = 'attentivenas'
    # Swish throughout: the published space admits no other activation
    # (AttentiveSpace.from_dict rejects other act_func values).
    act = 'swish'

    def __post_init__(self):
        check_int_list('resolution', [self.resolution], minimum=32)
        for key, n in (('width', NUM_STAGES + 2), ('depth', NUM_STAGES), ('kernel', NUM_STAGES),
                       ('expand', NUM_STAGES)):
            object.__setattr__(self, key, check_int_list(key, getattr(self, key), length=n))
        for i, k in enumerate(self.kernel):
            if k % 2 == 0:
                raise ValueError(f'kernel[{i}]: {k} is not an odd kernel size')

    def encode(self) -> list[int]:
        """The 31-number encoding of the AttentiveNAS accuracy predictor:
        ``[resolution] + width[9] + depth[7] + kernel[7] + expand[7]``."""
        return [self.resolution, *self.width, *self.depth, *self.kernel, *self.expand]

    def key(self) -> tuple[int, ...]:
        return tuple(self.encode())

    def to_dict(self) -> dict:
        return {'type': 'attentivenas', 'name': self.name, 'resolution': self.resolution,
                'width': list(self.width), 'depth': list(self.depth), 'kernel': list(self.kernel),
                'expand': list(self.expand), 'num_classes': self.num_classes,
                'dropout': self.dropout}

    @classmethod
    def from_dict(cls, data: dict, **overrides) -> 'AttentiveArch':
        # 'kernel_size'/'expand_ratio'/'model' are the names of the published files.
        allowed = ('type', 'name', 'model', 'resolution', 'width', 'depth', 'kernel', 'kernel_size',
                   'expand', 'expand_ratio', 'num_classes', 'dropout')
        check_keys('attentivenas arch', data, allowed, required=('resolution', 'width', 'depth'))
        if data.get('type', 'attentivenas') != 'attentivenas':
            raise ValueError(f"type: expected 'attentivenas', got {data['type']!r}")
        kernel = data.get('kernel', data.get('kernel_size'))
        expand = data.get('expand', data.get('expand_ratio'))
        if kernel is None:
            raise ValueError('attentivenas arch: missing field(s) [\'kernel\']')
        if expand is None:
            raise ValueError('attentivenas arch: missing field(s) [\'expand\']')
        kwargs = dict(resolution=data['resolution'], width=data['width'], depth=data['depth'],
                      kernel=kernel, expand=expand, name=data.get('name', data.get('model', '')),
                      num_classes=data.get('num_classes', 1000), dropout=data.get('dropout', 0.2))
        kwargs.update(overrides)
        return cls(**kwargs)


@dataclass(frozen=True)
class StageSpace:
    """Choices of one MBConv stage."""
    widths: tuple[int, ...]
    depths: tuple[int, ...]
    kernels: tuple[int, ...]
    expands: tuple[int, ...]
    stride: int
    se: bool
    act: str = 'swish'


@dataclass(frozen=True)
class AttentiveSpace:
    """The AttentiveNAS search space.

    Args:
        resolutions (tuple[int]): Input sizes.
        stem_widths (tuple[int]): Stem conv widths.
        stages (tuple[StageSpace]): The seven MBConv stages.
        last_widths (tuple[int]): Widths of the last 1x1 conv.
        stem_stride (int): Stride of the stem. Defaults to 2.
    """
    resolutions: tuple[int, ...]
    stem_widths: tuple[int, ...]
    stages: tuple[StageSpace, ...]
    last_widths: tuple[int, ...]
    stem_stride: int = 2

    def __post_init__(self):
        if len(self.stages) != NUM_STAGES:
            raise ValueError(f'stages: expected {NUM_STAGES}, got {len(self.stages)}')

    # ------------------------------------------------------------ choices
    def choices(self) -> dict[str, list[tuple[int, ...]]]:
        """Per-dimension choices in encoding order (see AttentiveArch.encode)."""
        return {
            'resolution': [self.resolutions],
            'width': [self.stem_widths] + [s.widths for s in self.stages] + [self.last_widths],
            'depth': [s.depths for s in self.stages],
            'kernel': [s.kernels for s in self.stages],
            'expand': [s.expands for s in self.stages],
        }

    def gene_choices(self) -> list[tuple[int, ...]]:
        """Choices of each of the 31 genes, in encoding order."""
        c = self.choices()
        return c['resolution'] + c['width'] + c['depth'] + c['kernel'] + c['expand']

    def decode(self, genes: Sequence[int], **kwargs) -> AttentiveArch:
        g = list(genes)
        if len(g) != 31:
            raise ValueError(f'genes: expected 31 values, got {len(g)}')
        return AttentiveArch(resolution=g[0], width=tuple(g[1:10]), depth=tuple(g[10:17]),
                             kernel=tuple(g[17:24]), expand=tuple(g[24:31]), **kwargs)

    def max_arch(self) -> AttentiveArch:
        return self.decode([max(c) for c in self.gene_choices()], name='max')

    def min_arch(self) -> AttentiveArch:
        return self.decode([min(c) for c in self.gene_choices()], name='min')

    def sample(self, rng: random.Random, resolution: int | None = None) -> AttentiveArch:
        """A uniformly random arch (each gene independently)."""
        genes = [rng.choice(c) for c in self.gene_choices()]
        if resolution is not None:
            genes[0] = resolution
        return self.decode(genes)

    def validate(self, arch: AttentiveArch) -> AttentiveArch:
        """Raise ValueError naming the first gene outside the space."""
        names = (['resolution'] + [f'width[{i}]' for i in range(9)] +
                 [f'{d}[{i}]' for d in ('depth', 'kernel', 'expand') for i in range(7)])
        for name, value, choices in zip(names, arch.encode(), self.gene_choices()):
            if value not in choices:
                raise ValueError(f'{name}: {value} not in {tuple(choices)}')
        return arch

    def contains(self, arch: AttentiveArch) -> bool:
        try:
            self.validate(arch)
        except ValueError:
            return False
        return True

    # ----------------------------------------------------------------- I/O
    @classmethod
    def from_dict(cls, data: dict) -> 'AttentiveSpace':
        """Read a ``supernet_config`` mapping (the published format)."""
        if 'supernet_config' in data:
            data = data['supernet_config']
        stage_keys = [f'mb{i}' for i in range(1, NUM_STAGES + 1)]
        check_keys('supernet_config', data,
                   ['use_v3_head', 'resolutions', 'first_conv', 'last_conv'] + stage_keys,
                   required=['resolutions', 'first_conv', 'last_conv'] + stage_keys)
        if not data.get('use_v3_head', True):
            raise ValueError('supernet_config.use_v3_head: only the MobileNetV3 head is supported')
        stages = []
        for key in stage_keys:
            st = data[key]
            check_keys(f'supernet_config.{key}', st, ('c', 'd', 'k', 't', 's', 'act_func', 'se'),
                       required=('c', 'd', 'k', 't', 's'))
            act = st.get('act_func', 'swish')
            if act != 'swish':
                raise ValueError(f'supernet_config.{key}.act_func: only swish is supported, got {act!r}')
            stages.append(StageSpace(
                widths=check_int_list(f'supernet_config.{key}.c', st['c']),
                depths=check_int_list(f'supernet_config.{key}.d', st['d']),
                kernels=check_int_list(f'supernet_config.{key}.k', st['k']),
                expands=check_int_list(f'supernet_config.{key}.t', st['t']),
                stride=st['s'], se=bool(st.get('se', False))))
        fc, lc = data['first_conv'], data['last_conv']
        return cls(resolutions=check_int_list('supernet_config.resolutions', data['resolutions']),
                   stem_widths=check_int_list('supernet_config.first_conv.c', fc['c']),
                   stages=tuple(stages),
                   last_widths=check_int_list('supernet_config.last_conv.c', lc['c']),
                   stem_stride=fc.get('s', 2))

    def to_dict(self) -> dict:
        out = {'use_v3_head': True, 'resolutions': list(self.resolutions),
               'first_conv': {'c': list(self.stem_widths), 'act_func': 'swish', 's': self.stem_stride}}
        for i, s in enumerate(self.stages, 1):
            out[f'mb{i}'] = {'c': list(s.widths), 'd': list(s.depths), 'k': list(s.kernels),
                             't': list(s.expands), 's': s.stride, 'act_func': s.act, 'se': s.se}
        out['last_conv'] = {'c': list(self.last_widths), 'act_func': 'swish'}
        return out

    @classmethod
    def load(cls, path: str | Path) -> 'AttentiveSpace':
        return cls.from_dict(read_mapping(path))

    def save(self, path: str | Path) -> Path:
        return write_mapping({'supernet_config': self.to_dict()}, path)
