"""From an exported arch + checkpoint to an mmdet config, without hand editing.

Which backbone outputs feed a detector is decided here, once, from the
architecture: an FPN takes the *last* output at each of the strides 4, 8, 16
and 32 (so the stride-32 tap is the final 1x1 head conv, as torchvision's
MobileNet FPN backbones do, and every backbone weight is used -- DDP needs no
``find_unused_parameters``); the AtomNAS paper's single-map variant takes the
head conv alone. The configs in ``configs/mask_rcnn`` hold these numbers
precomputed, and ``tests/test_downstream`` checks them against this module and
``SearchedMobileNet.output_shape()``.

The generated config builds on the ``configs/mask_rcnn/_base_`` files of a
configs folder the caller names (``configs_dir``; the command line passes
``--configs``, by default ``configs`` under the working directory): the
package never guesses where a checkout lies, so it works installed
non-editable too.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

from ..arch import AtomNetArch, AttentiveArch, load_arch
from ..engine.checkpoint import key_prefix, read_weights
from ..ops.static_net import build_static_net

Arch = Union[str, Path, dict, AtomNetArch, AttentiveArch]
FPN_STRIDES = (4, 8, 16, 32)
VARIANTS = ('fpn', 'last-map')
SCHEDULES = ('23e', '1x', '3x')


@dataclass(frozen=True)
class DetTaps:
    """Backbone outputs a detector neck reads.

    Args:
        out_indices (tuple[int]): ``SearchedMobileNet`` out indices.
        channels (tuple[int]): Channels of each, i.e. the neck's
            ``in_channels``.
        strides (tuple[int]): Stride of each.
        frozen_stages (int): ``frozen_stages`` that freezes the stem and the
            stages up to stride 4, the counterpart of ResNet's
            ``frozen_stages=1`` in mmdet's configs.
    """
    out_indices: tuple[int, ...]
    channels: tuple[int, ...]
    strides: tuple[int, ...]
    frozen_stages: int


def output_shapes(arch: Arch) -> list[tuple[int, int]]:
    """(channels, stride) of every out index of ``arch``: the stages, then
    the head conv (what ``SearchedMobileNet.output_shape()`` reports)."""
    net = build_static_net(load_arch(arch))
    return list(zip(net.out_channels(), net.out_strides()))


def _frozen_to_stride4(shapes: Sequence[tuple[int, int]]) -> int:
    # Stage outputs only (the last entry is the head conv, never frozen).
    stride4 = [i for i, (_, s) in enumerate(shapes[:-1]) if s <= 4]
    return stride4[-1] + 1 if stride4 else 0


def det_taps(arch: Arch, variant: str = 'fpn',
             strides: Sequence[int] = FPN_STRIDES) -> DetTaps:
    """The backbone outputs of a detection ``variant`` of ``arch``.

    Args:
        arch (str | Path | dict | AtomNetArch | AttentiveArch): Zoo name,
            arch file or arch.
        variant (str): 'fpn' (last output at each of ``strides``) or
            'last-map' (the head conv only, the AtomNAS paper's variant,
            docs/downstream.md#detection). Defaults to 'fpn'.
        strides (Sequence[int]): FPN strides. Defaults to (4, 8, 16, 32).

    Returns:
        DetTaps: out indices, channels, strides and ``frozen_stages``.
    """
    if variant not in VARIANTS:
        raise ValueError(f'variant: {variant!r} not in {VARIANTS}')
    shapes = output_shapes(arch)
    if variant == 'last-map':
        indices = [len(shapes) - 1]
    else:
        indices = []
        for stride in strides:
            at_stride = [i for i, (_, s) in enumerate(shapes) if s == stride]
            if not at_stride:
                raise ValueError(f'strides: no backbone output at stride {stride}; outputs '
                                 f'(channels, stride): {shapes}')
            indices.append(at_stride[-1])
    return DetTaps(tuple(indices), tuple(shapes[i][0] for i in indices),
                   tuple(shapes[i][1] for i in indices), _frozen_to_stride4(shapes))


def detect_prefix(state: dict, arch: Arch) -> str:
    """The key prefix under which ``state`` holds the backbone of ``arch``
    ('backbone.' for an ImageClassifier checkpoint, '' for a bare net).

    Raises:
        ValueError: naming the expected keys, when no key ends with the
            backbone's first parameter name or shapes disagree.
    """
    expected = build_static_net(load_arch(arch)).state_dict()
    first = next(iter(expected))
    prefix = key_prefix(state, expected)
    if prefix is None:
        raise ValueError(f'checkpoint: no key ends with {first!r}; expected backbone keys like '
                         f'{list(expected)[:3]} (under any prefix); the file has e.g. '
                         f'{sorted(state)[:5]}')
    missing = [k for k in expected if prefix + k not in state]
    wrong = [k for k in expected if prefix + k in state
             and tuple(state[prefix + k].shape) != tuple(expected[k].shape)]
    if missing or wrong:
        raise ValueError(f'checkpoint (prefix {prefix!r}) does not fit the arch: '
                         f'{len(missing)} missing keys, e.g. {[prefix + k for k in missing[:5]]}; '
                         f'shape mismatches: {[prefix + k for k in wrong[:5]]}')
    return prefix


def _base_file(configs_dir: Union[str, Path], variant: str, schedule: str) -> str:
    name = f'mask-rcnn_searched_{variant}_{schedule}_coco.py'
    path = Path(configs_dir).resolve() / 'mask_rcnn' / '_base_' / name
    if not path.is_file():
        raise FileNotFoundError(f'configs_dir: {path} not found; pass the configs folder of a '
                                f'nas_backbones checkout (the one holding mask_rcnn/_base_)')
    return str(path)


def det_config_text(arch_file: Union[str, Path], checkpoint: Optional[Union[str, Path]] = None,
                    variant: str = 'fpn', schedule: str = '23e', prefix: Optional[str] = None,
                    sync_bn: bool = False, configs_dir: Union[str, Path] = 'configs') -> str:
    """A ready mmdet config for an exported backbone, as text.

    Args:
        arch_file (str | Path): Arch file written by the export (or a zoo name).
        checkpoint (str | Path, optional): Exported ImageNet weights; read to
            check that they fit the arch and to find their key prefix.
            None leaves ``init_cfg`` out (training from scratch).
        variant (str): 'fpn' or 'last-map'. Defaults to 'fpn'.
        schedule (str): '23e' (the AtomNAS paper's), '1x' or '3x'.
            Defaults to '23e'.
        prefix (str, optional): Key prefix of the backbone in the
            checkpoint; detected when None.
        sync_bn (bool): SyncBN in the backbone, BN statistics trained
            (``norm_eval=False``). Defaults to False (BN frozen in eval mode,
            as mmdet's ResNet configs with 2 images per GPU).
        configs_dir (str | Path): The configs folder of a nas_backbones
            checkout; the config's ``_base_`` is its
            ``mask_rcnn/_base_/mask-rcnn_searched_{variant}_{schedule}_coco.py``
            (absolute path). Defaults to 'configs' (relative to the working
            directory).

    Returns:
        str: Python config text (``_base_``, ``custom_imports``, ``model``).
    """
    if schedule not in SCHEDULES:
        raise ValueError(f'schedule: {schedule!r} not in {SCHEDULES}')
    arch = load_arch(arch_file)
    taps = det_taps(arch, variant)
    shapes = output_shapes(arch)
    arch_ref = str(Path(arch_file).resolve()) if Path(str(arch_file)).is_file() else str(arch_file)
    init = 'None'
    if checkpoint is not None:
        if prefix is None:
            prefix = detect_prefix(read_weights(checkpoint), arch)
        init = (f"dict(type='Pretrained', checkpoint={str(Path(checkpoint).resolve())!r}, "
                f"prefix={prefix!r})")
    norm = "dict(type='SyncBN')" if sync_bn else "dict(type='BN')"
    layout = ', '.join(f'{i}: {c}@{s}' for i, (c, s) in enumerate(shapes))
    return '\n'.join([
        f'# Mask R-CNN ({variant}, {schedule}) on the searched backbone {arch_ref}.',
        '# Generated by nas_backbones.downstream.det_config; backbone outputs',
        f'# (index: channels@stride): {layout}',
        f'_base_ = [{_base_file(configs_dir, variant, schedule)!r}]',
        "custom_imports = dict(imports=['nas_backbones'], allow_failed_imports=False)",
        'model = dict(',
        '    backbone=dict(',
        '        _delete_=True,',
        "        type='nas_backbones.SearchedMobileNet',",
        f'        arch={arch_ref!r},',
        f'        out_indices={taps.out_indices!r},  # strides {taps.strides}',
        f'        frozen_stages={taps.frozen_stages},  # stem + stages up to stride 4',
        f'        norm_eval={not sync_bn},',
        f'        norm_cfg={norm},',
        f'        init_cfg={init}),',
        f'    neck=dict(in_channels={list(taps.channels)!r}))',
        '',
    ])
