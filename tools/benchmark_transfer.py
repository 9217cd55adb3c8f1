"""Fine-tune one backbone on Flowers-102, Stanford Cars and Food-101 and
print one table (dataset, top-1, FLOPs) -- the paper's transfer table
(docs/downstream.md#transfer).

    python tools/benchmark_transfer.py CONFIG [CONFIG ...]
        [--arch ARCH --checkpoint CKPT [--resolution R]] [--epochs N]
        [--work-dir DIR] [--cfg-options k=v ...]

Each CONFIG (one per dataset, e.g. configs/transfer/attentivenas-a1_1xb64_*.py)
is trained and scored on its test split; --arch/--checkpoint swap the
backbone (head widths and image size follow the arch) so any exported net
runs through the same three recipes. FLOPs: the fine-tuned net at the run's
input size and class count, in its family's convention
(docs/flops_conventions.md).
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction

from nas_backbones.downstream import train_and_evaluate, transfer_mflops, with_arch, with_hparams
from nas_backbones.downstream.transfer import TOP1

PUBLISHED = {  # AttentiveNAS appendix G, Table 5: top-1 of A1 / A6
    'Flowers102': {'attentivenas_a1': 97.4, 'attentivenas_a6': 98.6},
    'StanfordCars': {'attentivenas_a1': 91.3, 'attentivenas_a6': 92.5},
    'Food101': {'attentivenas_a1': 88.1, 'attentivenas_a6': 89.6},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+', help='transfer configs, one per dataset')
    parser.add_argument('--arch', help='swap in this arch (zoo name or exported file)')
    parser.add_argument('--checkpoint', help='exported ImageNet weights for --arch')
    parser.add_argument('--resolution', type=int,
                        help="image size with --arch (default: the arch's; 0 keeps the config's)")
    parser.add_argument('--epochs', type=int, help='override the epochs of every config')
    parser.add_argument('--work-dir', default=osp.join('work_dirs', 'benchmark_transfer'))
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.checkpoint and not args.arch:
        raise SystemExit('error: --checkpoint needs --arch')
    rows = []
    for path in args.configs:
        cfg = Config.fromfile(path)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        if args.arch:
            cfg = with_arch(cfg, args.arch, args.checkpoint, args.resolution)
        cfg = with_hparams(cfg, epochs=args.epochs)
        name = osp.splitext(osp.basename(path))[0]
        top1 = train_and_evaluate(cfg, osp.join(args.work_dir, name))[TOP1]
        dataset = cfg.train_dataloader.dataset.type
        arch = str(cfg.model.backbone.arch)
        published = PUBLISHED.get(dataset, {}).get(arch)
        rows.append((dataset, top1, transfer_mflops(cfg), arch, published))
    print('\n| dataset | top-1 | MFLOPs | arch | published top-1 |\n|---|---|---|---|---|')
    for dataset, top1, mflops, arch, published in rows:
        pub = '-' if published is None else f'{published:.1f}'
        print(f'| {dataset} | {top1:.2f} | {mflops:.2f} | {arch} | {pub} |', flush=True)


if __name__ == '__main__':
    main()
