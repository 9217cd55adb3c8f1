"""Build the FLOPs table of the AttentiveNAS FLOPs-aware prior.

The original code reads a pool file its repository does not hold; this draws
``--num-samples`` uniformly random archs of the space, counts their FLOPs
analytically and saves the pool (npz or json, no pickle), from which
``FlopsPriorSampler(table=...)`` reads the bucket distribution and
p(choice | bucket).

Example:
    python tools/analysis/build_flops_table.py --out work_dirs/attentivenas_flops_table.npz
"""
from __future__ import annotations

import argparse
import time


from nas_backbones.arch import AttentiveSpace, default_attentive_space
from nas_backbones.samplers.flops_table import FlopsTable


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', required=True, help='output file (.npz or .json)')
    p.add_argument('--space', help='search space yml (supernet_config); default: published')
    p.add_argument('--num-samples', type=int, default=50000)
    p.add_argument('--bucket-mflops', type=float, default=25.0)
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def main(argv=None) -> FlopsTable:
    args = parse_args(argv)
    space = AttentiveSpace.load(args.space) if args.space else default_attentive_space()
    start = time.time()
    table = FlopsTable.build(space, args.num_samples, args.seed, args.bucket_mflops)
    path = table.save(args.out)
    mf = table.flops / 1e6
    print(f'{len(table.flops)} archs in {time.time() - start:.1f} s: {len(table.bucket_ids)} '
          f'buckets of {args.bucket_mflops:g} MFLOPs, FLOPs {mf.min():.2f}-{mf.max():.2f} M '
          f'(mean {mf.mean():.2f}); saved {path}')
    return table


if __name__ == '__main__':
    main()
