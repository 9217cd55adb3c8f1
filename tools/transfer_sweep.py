"""Choose lr and weight decay for fine-grained transfer on a 20 % hold-out of
train (as Kornblith et al. 2019, whom the AttentiveNAS paper follows;
docs/downstream.md#transfer).

    python tools/transfer_sweep.py CONFIG [--lr 0.003 0.01 0.03 0.1]
        [--wd 0 1e-5 1e-4] [--epochs N] [--holdout 0.2] [--seed 0]
        [--arch ARCH --checkpoint CKPT [--resolution R]] [--work-dir DIR]
        [--cfg-options k=v ...]

The train list of CONFIG is split deterministically (per class, seeded);
each grid point trains on 80 % for --epochs (default: the config's) and is
scored by top-1 on the other 20 %. Prints one row per point and the best,
as --cfg-options for tools/train.py.
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction

from nas_backbones.downstream import best_point, sweep, with_arch

DEFAULT_LRS = (0.003, 0.01, 0.03, 0.1)
DEFAULT_WDS = (0.0, 1e-5, 1e-4)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='transfer config (configs/transfer/...)')
    parser.add_argument('--lr', type=float, nargs='+', default=DEFAULT_LRS)
    parser.add_argument('--wd', type=float, nargs='+', default=DEFAULT_WDS)
    parser.add_argument('--epochs', type=int, help='epochs per grid point')
    parser.add_argument('--holdout', type=float, default=0.2, help='share of train held out')
    parser.add_argument('--seed', type=int, default=0, help='seed of the split')
    parser.add_argument('--arch', help='swap in this arch (zoo name or exported file)')
    parser.add_argument('--checkpoint', help='exported ImageNet weights for --arch')
    parser.add_argument('--resolution', type=int,
                        help="image size with --arch (default: the arch's; 0 keeps the config's)")
    parser.add_argument('--work-dir', help='parent folder of the runs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.arch:
        cfg = with_arch(cfg, args.arch, args.checkpoint, args.resolution)
    elif args.checkpoint:
        raise SystemExit('error: --checkpoint needs --arch')
    name = osp.splitext(osp.basename(args.config))[0]
    work_dir = args.work_dir or osp.join('work_dirs', 'sweep', name)
    points = sweep(cfg, args.lr, args.wd, work_dir, epochs=args.epochs,
                   fraction=args.holdout, seed=args.seed)
    print(f'\nlr / weight decay sweep of {name} on a {args.holdout:.0%} hold-out of train')
    print('| lr | weight decay | hold-out top-1 |\n|---|---|---|')
    for p in points:
        print(f'| {p.lr:g} | {p.weight_decay:g} | {p.top1:.2f} |')
    best = best_point(points)
    print(f'best: lr {best.lr:g}, weight decay {best.weight_decay:g} '
          f'(hold-out top-1 {best.top1:.2f})')
    print(f'train with: --cfg-options optim_wrapper.optimizer.lr={best.lr:g} '
          f'optim_wrapper.optimizer.weight_decay={best.weight_decay:g}', flush=True)


if __name__ == '__main__':
    main()
