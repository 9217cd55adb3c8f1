"""Build a latency table (LUT) of a search space on this device.

Measures every distinct layer configuration a subnet of the space can
contain (``nas_backbones.estimators.latency`` lists them; ``ops.latency_probe``
builds each module): ``--warmup`` untimed calls, ``--repeats`` timed calls,
the median. Then ``--calib-archs`` random subnets are measured end to end
and the per-network constant (median of measured - sum of entries) is
fitted. The file records the space, the settings and the machine/library
versions. The build is resumable: the table is saved every few seconds and
on Ctrl-C, and a rerun with the same ``--out`` and settings measures only
what is missing.

Examples (AttentiveNAS, published space; AtomNAS, the search config's supernet):
    python tools/analysis/build_latency_lut.py --space attentivenas --device cpu --backend torch \\
        --batch 1 --threads 1 --out work_dirs/luts/attentivenas_cpu_b1_t1.json
    python tools/analysis/build_latency_lut.py --space atomnas \\
        --config configs/atomnas/atomnas-a-search_8xb256_in1k.py --threads 1 \\
        --out work_dirs/luts/atomnas_a_cpu_b1_t1.json
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

# Appended, not prepended: an installed nas_backbones stays the one imported.
sys.path.append(str(Path(__file__).resolve().parents[2]))

from nas_backbones.arch import (AttentiveSpace, atomnas_supernet_arch,  # noqa: E402
                                default_attentive_space)
from nas_backbones.estimators.latency import (SETTING_KEYS, LatencyEstimator,  # noqa: E402
                                              LatencyTable, atomnas_space_keys,
                                              attentive_space_keys, fit_offset,
                                              sample_atomnas_subnet)

SUPERNET_ARGS = ('stem_channels', 'kernel_sizes', 'setting', 'num_classes', 'last_channels', 'act',
                 'se_ratio', 'resolution')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog='\n'.join(__doc__.splitlines()[1:]))
    p.add_argument('--space', required=True, choices=('attentivenas', 'atomnas'))
    p.add_argument('--out', required=True, help='table file (.json); resumed when it exists')
    p.add_argument('--device', default='cpu', choices=('cpu', 'cuda'))
    p.add_argument('--backend', default='torch', choices=('torch', 'onnxruntime'))
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--threads', type=int, help='intra-op threads (default: the library default)')
    p.add_argument('--channels-last', action='store_true', help='torch: channels-last tensors')
    p.add_argument('--warmup', type=int, default=10)
    p.add_argument('--repeats', type=int, default=50)
    p.add_argument('--clock', default='wall', choices=('wall', 'cpu'),
                   help="'cpu': the thread's CPU time (--threads 1 only), robust to other load")
    p.add_argument('--rounds', type=int, default=1,
                   help='passes over the whole table; each entry keeps its smallest median '
                        '(2-3 on a shared machine; a rerun with more rounds adds passes)')
    p.add_argument('--calib-archs', type=int, default=10,
                   help='random subnets measured end to end to fit the constant (0: none)')
    p.add_argument('--seed', type=int, default=0, help='seed of the calibration subnets')
    p.add_argument('--overwrite', action='store_true', help='start over instead of resuming')
    p.add_argument('--num-classes', type=int, default=1000, help='classifier outputs')
    g = p.add_argument_group('AttentiveNAS')
    g.add_argument('--space-file', help='supernet_config yml (default: the published space)')
    g.add_argument('--resolutions', type=int, nargs='+', help='only these input sizes')
    g = p.add_argument_group('AtomNAS (the supernet: a search config, or the flags)')
    g.add_argument('--config', help='search config whose model.supernet is the space')
    g.add_argument('--stem-channels', type=int, default=32)
    g.add_argument('--act', default='relu', choices=('relu', 'swish'))
    g.add_argument('--se-ratio', type=float, default=0.0)
    g.add_argument('--resolution', type=int, default=224)
    g.add_argument('--setting', type=json.loads, help='stage table as JSON rows [t, c, n, s] '
                   '(default: the published one)')
    g.add_argument('--kernel-sizes', type=int, nargs='+', default=[3, 5, 7])
    g.add_argument('--last-channels', type=int, default=1280)
    g.add_argument('--atom-points', type=int, default=12, help='grid points per atom curve')
    return p.parse_args(argv)


def atomnas_supernet_from_args(args):
    kwargs = dict(stem_channels=args.stem_channels, act=args.act, se_ratio=args.se_ratio,
                  resolution=args.resolution, kernel_sizes=tuple(args.kernel_sizes),
                  last_channels=args.last_channels, num_classes=args.num_classes)
    if args.setting is not None:
        kwargs['setting'] = tuple(tuple(r) for r in args.setting)
    if args.config:
        from mmengine.config import Config
        cfg = Config.fromfile(args.config).model.get('supernet', {})
        kwargs = {k: cfg[k] for k in SUPERNET_ARGS if k in cfg}
        if 'setting' in kwargs:
            kwargs['setting'] = tuple(tuple(r) for r in kwargs['setting'])
    return atomnas_supernet_arch(**kwargs)


def space_and_keys(args):
    """(space_config, keys to measure, subnet sampler, AttentiveSpace or None, classes)."""
    if args.space == 'attentivenas':
        space = AttentiveSpace.load(args.space_file) if args.space_file else default_attentive_space()
        if args.resolutions:
            bad = [r for r in args.resolutions if r < 32]
            if bad:
                raise SystemExit(f'error: --resolutions: {bad} below 32')
            space = AttentiveSpace.from_dict({**space.to_dict(), 'resolutions': args.resolutions})
        keys = attentive_space_keys(space, args.num_classes)
        sample = lambda rng: space.sample(rng).replace(num_classes=args.num_classes)  # noqa: E731
        return space.to_dict(), keys, sample, space, args.num_classes
    supernet = atomnas_supernet_from_args(args)
    keys = atomnas_space_keys(supernet, args.atom_points)
    return (supernet.to_dict(), keys, (lambda rng: sample_atomnas_subnet(supernet, rng)), None,
            supernet.num_classes)


def settings_from_args(args, num_classes: int) -> dict:
    return dict(device=args.device, backend=args.backend, batch=args.batch, threads=args.threads,
                channels_last=args.channels_last, clock=args.clock, warmup=args.warmup,
                repeats=args.repeats, num_classes=num_classes)


def open_table(args, space_config: dict, settings: dict, environment: dict) -> LatencyTable:
    """The table to fill: the existing file when its header matches."""
    out = Path(args.out)
    fresh = LatencyTable(args.space, space_config, settings, environment)
    if args.overwrite or not out.is_file():
        return fresh
    old = LatencyTable.load(out)
    if old.space != args.space or old.space_config != space_config:
        raise SystemExit(f'error: {out} was built for another space ({old.space}); pass '
                         f'--overwrite to start over or choose another --out')
    for key in SETTING_KEYS:
        if old.settings.get(key) != settings[key]:
            raise SystemExit(f'error: {out}: settings.{key} is {old.settings.get(key)!r}, this run '
                             f'{settings[key]!r}; pass --overwrite to start over or another --out')
    for key in ('cpu', 'torch', 'onnxruntime', 'cuda_device'):
        if old.environment.get(key) != environment.get(key):
            raise SystemExit(f'error: {out}: environment.{key} is {old.environment.get(key)!r}, '
                             f'this machine {environment.get(key)!r}: entries from two setups '
                             f'would not add up; pass --overwrite or choose another --out')
    return old


def main(argv=None) -> LatencyTable:
    args = parse_args(argv)
    from nas_backbones.ops.latency_probe import measure_arch_ms, probe_from_key
    from nas_backbones.ops.timing import TimingConfig, environment, measure_ms

    from tools.analysis._progress import Progress

    cfg = TimingConfig(args.device, args.backend, args.batch, args.threads, args.channels_last,
                       args.warmup, args.repeats, args.clock)
    space_config, keys, sample, space, classes = space_and_keys(args)
    table = open_table(args, space_config, settings_from_args(args, classes),
                       environment(args.device))
    rounds = args.rounds
    if rounds < 1:
        raise SystemExit('error: --rounds: must be >= 1')
    table.settings['rounds'] = max(rounds, table.settings.get('rounds', 1))
    done = sum(min(len(table.rounds.get(k, [])), rounds) for k in keys)
    if done:
        print(f'resuming {args.out}: {done} of {len(keys) * rounds} measurements done')
    bar = Progress(len(keys) * rounds, 'entries x rounds', done=done)
    last_save = time.monotonic()
    try:
        for r in range(rounds):
            for key in (k for k in keys if len(table.rounds.get(k, [])) <= r):
                module, shape = probe_from_key(key)
                table.add_round(key, measure_ms(module, shape, cfg))
                bar.update(1, key)
                if time.monotonic() - last_save > 5:
                    table.save(args.out)
                    last_save = time.monotonic()
        bar.close()
        # The constant: random subnets measured end to end, in as many rounds.
        rng = random.Random(args.seed)
        archs = [sample(rng) for _ in range(args.calib_archs)]
        calib = {tuple(c['arch_key']): c for c in table.calibration}
        est = LatencyEstimator(table)
        for a in archs:
            calib.setdefault(_key(a), {'arch_key': list(_key(a)), 'arch': a.to_dict(),
                                       'rounds_ms': []})
        bar = Progress(len(archs) * rounds, 'calibration subnets x rounds',
                       done=sum(min(len(calib[_key(a)]['rounds_ms']), rounds) for a in archs))
        for r in range(rounds):
            for arch in archs:
                row = calib[_key(arch)]
                if len(row['rounds_ms']) > r:
                    continue
                row['rounds_ms'].append(measure_arch_ms(arch, cfg, space))
                row['measured_ms'] = min(row['rounds_ms'])
                bar.update(1)
                table.calibration = list(calib.values())
                table.save(args.out)
        bar.close()
        rows = [calib[_key(a)] for a in archs]
        for row, arch in zip(rows, archs):
            row['sum_ms'] = est.block_sum(arch)  # with the final entries
        table.calibration = list(calib.values())
        table.offset_ms = fit_offset([r['measured_ms'] for r in rows],
                                     [r['sum_ms'] for r in rows]) if rows else 0.0
    except KeyboardInterrupt:
        table.save(args.out)
        raise SystemExit(f'\ninterrupted: {len(table.entries)} of {len(keys)} entries saved in '
                         f'{args.out}; rerun the same command to continue')
    path = table.save(args.out)
    print(f'[nas_backbones] latency table: {len(table.entries)} entries ({args.space}, '
          f'{args.device}/{args.backend}, batch {args.batch}, threads {args.threads}), constant '
          f'{table.offset_ms:+.3f} ms from {len(archs)} subnets | {path}', flush=True)
    return table


def _key(arch) -> tuple:
    return tuple(arch.encode()) if hasattr(arch, 'encode') else tuple(
        a for b in arch.blocks for a in b.atoms)


if __name__ == '__main__':
    main()
