"""Print a ready mmdet Mask R-CNN config for an exported searched backbone.

    python tools/analysis/print_det_config.py ARCH_FILE [CHECKPOINT]
        [--variant fpn|last-map] [--schedule 23e|1x|3x] [--prefix P]
        [--sync-bn] [--configs DIR] [--out FILE]

ARCH_FILE and CHECKPOINT are what tools/export.py writes (a zoo name works
for ARCH_FILE too). The checkpoint is read (weights only) to check that it
fits the arch and to find the key prefix of the backbone; the printed config
holds the backbone dict (arch path, out_indices, frozen_stages, init_cfg) and
the neck's in_channels, on top of DIR/mask_rcnn/_base_ (``--configs``, by
default ``configs`` under the working directory: run it from the checkout, or
name the checkout's configs folder).
"""
import argparse
import sys

from nas_backbones.downstream.det_config import SCHEDULES, VARIANTS, det_config_text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('arch', help='arch file (or zoo name)')
    parser.add_argument('checkpoint', nargs='?', help='exported weights (optional)')
    parser.add_argument('--variant', choices=VARIANTS, default='fpn')
    parser.add_argument('--schedule', choices=SCHEDULES, default='23e')
    parser.add_argument('--prefix', help='backbone key prefix in the checkpoint (detected)')
    parser.add_argument('--sync-bn', action='store_true',
                        help='SyncBN with trained statistics instead of frozen BN')
    parser.add_argument('--configs', default='configs',
                        help="the checkout's configs folder the config builds on "
                             "(default: ./configs)")
    parser.add_argument('--out', help='write the config here instead of stdout')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        text = det_config_text(args.arch, args.checkpoint, variant=args.variant,
                               schedule=args.schedule, prefix=args.prefix, sync_bn=args.sync_bn,
                               configs_dir=args.configs)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f'error: {e}')
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text)
        print(f'wrote {args.out}')
    else:
        print(text, end='')


if __name__ == '__main__':
    main()
