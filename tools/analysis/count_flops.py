"""FLOPs (multiply-adds) and params of an architecture, counted analytically
(docs/flops_conventions.md; no weights, no forward pass).

    python tools/analysis/count_flops.py atomnas_a
    python tools/analysis/count_flops.py path/to/arch.yml --per-layer
    python tools/analysis/count_flops.py configs/atomnas/atomnas-a_32xb128_in1k.py
    python tools/analysis/count_flops.py attentivenas_a0 --convention atomnas

ARCH_OR_CONFIG is a zoo name, an arch file (.yml/.json) or a config (.py),
whose ``model.backbone.arch`` is counted. Numbers are at the arch's own
resolution with its classifier, in the family's convention unless
``--convention`` says otherwise.
"""
import argparse
import sys
from pathlib import Path

from nas_backbones.arch import load_arch, zoo_names
from nas_backbones.estimators import CONVENTIONS, count_cost


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Count FLOPs (MACs) and params of an arch')
    parser.add_argument('arch', metavar='ARCH_OR_CONFIG',
                        help=f'zoo name ({", ".join(zoo_names())}), arch file, or config .py')
    parser.add_argument('--per-layer', action='store_true', help='print the per-layer table')
    parser.add_argument('--convention', choices=CONVENTIONS,
                        help="counting convention (default: the arch family's own)")
    return parser.parse_args(argv)


def read_arch(arch_or_config: str):
    """The arch named by a zoo name, an arch file or a config's
    ``model.backbone.arch``."""
    if arch_or_config.endswith('.py'):
        from mmengine.config import Config

        from nas_backbones.engine import arch_of_config
        return arch_of_config(Config.fromfile(arch_or_config))
    return load_arch(arch_or_config)


def main(argv=None):
    args = parse_args(argv)
    try:
        arch = read_arch(args.arch)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f'error: {e}')
    cost = count_cost(arch, convention=args.convention)
    if args.per_layer:
        print(cost.table())
    name = arch.name or Path(args.arch).stem
    print(f'{name}: {cost.mflops:.2f} MFLOPs, {cost.mparams:.3f} M params '
          f'({args.convention or arch.family} convention, {arch.resolution}x{arch.resolution} '
          f'input, {arch.num_classes} classes)')


if __name__ == '__main__':
    main()
