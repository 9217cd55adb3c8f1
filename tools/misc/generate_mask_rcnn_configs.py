"""Write the COCO Mask R-CNN configs of configs/mask_rcnn from one table.

Every searched net of the zoo gets the FPN variant (strides 4/8/16/32) on
the AtomNAS paper's 23-epoch schedule, mmdet's 1x and mmdet's 3x, and the
single-map variant (the AtomNAS paper's) on 23 epochs. The backbone outputs
(``out_indices``, ``frozen_stages``, the neck's ``in_channels``) are not in
the table: ``det_taps`` derives them from the arch, so the committed files
hold them precomputed and tests/test_configs/test_mask_rcnn_generator.py
checks that they equal this script's output byte for byte. The CPU demo
(``mask-rcnn_atomnas-a_fpn_demo.py``) is written by hand.

Example:
    python tools/misc/generate_mask_rcnn_configs.py            # rewrite configs/mask_rcnn
    python tools/misc/generate_mask_rcnn_configs.py --out DIR  # write elsewhere
"""
from __future__ import annotations

import argparse
from pathlib import Path

from nas_backbones.downstream.det_config import det_taps

# Zoo names, in the order of the model zoo.
ARCHS = ('atomnas_a', 'atomnas_b', 'atomnas_c',
         'atomnas_a_plus', 'atomnas_b_plus', 'atomnas_c_plus',
         *(f'attentivenas_a{i}' for i in range(7)))
# (variant, schedule) pairs, with the config header's words for each.
VARIANTS = {'fpn': 'FPN over strides 4/8/16/32',
            'last-map': 'heads on the last feature map (stride 32)'}
SCHEDULES = {'23e': "the AtomNAS paper's 23-epoch schedule",
             '1x': "mmdet's 1x schedule",
             '3x': "mmdet's multi-scale 3x recipe"}
LAYOUTS = (('fpn', '23e'), ('fpn', '1x'), ('fpn', '3x'), ('last-map', '23e'))
DEFAULT_OUT = Path('configs') / 'mask_rcnn'  # run from the repository root


def display_name(arch: str) -> str:
    """'atomnas_a_plus' -> 'AtomNAS-A+', 'attentivenas_a0' -> 'AttentiveNAS-A0'."""
    family, net = arch.split('_', 1)
    net = net.replace('_plus', '+').upper()
    return {'atomnas': 'AtomNAS', 'attentivenas': 'AttentiveNAS'}[family] + '-' + net


def config_name(arch: str, variant: str, schedule: str) -> str:
    """'atomnas_a_plus', 'fpn', '1x' -> 'mask-rcnn_atomnas-a-plus_fpn_1x_coco.py'."""
    return f"mask-rcnn_{arch.replace('_', '-')}_{variant}_{schedule}_coco.py"


def config_text(arch: str, variant: str, schedule: str) -> str:
    """The config file of ``arch`` with the ``variant`` neck on ``schedule``."""
    taps = det_taps(arch, variant)
    return '\n'.join([
        f'# Mask R-CNN, {display_name(arch)} backbone: {VARIANTS[variant]};',
        f'# {SCHEDULES[schedule]}.',
        f'# out_indices / frozen_stages / in_channels from {det_taps.__module__}:',
        f"# det_taps('{arch}', '{variant}').",
        f"_base_ = './_base_/mask-rcnn_searched_{variant}_{schedule}_coco.py'",
        'model = dict(',
        '    backbone=dict(',
        f"        arch='{arch}',",
        f'        out_indices={taps.out_indices!r},',
        f'        frozen_stages={taps.frozen_stages},',
        f"        init_cfg=dict(checkpoint='checkpoints/{arch}_in1k.pth')),",
        f'    neck=dict(in_channels={list(taps.channels)!r}))',
        '',
    ])


def generate(out_dir: Path) -> list[Path]:
    """Write every config into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for arch in ARCHS:
        for variant, schedule in LAYOUTS:
            path = out_dir / config_name(arch, variant, schedule)
            path.write_text(config_text(arch, variant, schedule))
            written.append(path)
    return written


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', type=Path, default=DEFAULT_OUT,
                   help=f'directory to write into (default: {DEFAULT_OUT})')
    args = p.parse_args(argv)
    written = generate(args.out)
    print(f'wrote {len(written)} configs to {args.out}')


if __name__ == '__main__':
    main()
