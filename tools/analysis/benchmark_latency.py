"""Measure a searched net's latency on several backends and batch sizes.

    python tools/analysis/benchmark_latency.py CONFIG|ARCH [CHECKPOINT]
        [--backends torch torch_compile onnxruntime] [--batch 1 8] [--threads N]
        [--warmup 10] [--repeats 50] [--rounds 3] [--shape H [W]] [--device cpu]
        [--backbone-only] [--json out.json]

Backends: PyTorch eager (``torch``), ``torch.compile`` (inductor; reported
as unavailable, with the reason, where it fails) and ``onnxruntime`` (the
net exported as ``pytorch2onnx.py`` does). Every (backend, batch) is timed
as in the latency tables (``nas_backbones.ops.timing``: warm-up, repeated
calls, median), and the combinations are interleaved: ``--rounds`` passes
over all of them, so a burst of other load hits one round of each, not one
variant. The table shows the median of all timed calls, the smallest round
median and images/s. Weights do not change latency: without CHECKPOINT the
net is freshly initialised. ``--threads 1`` gives the most stable batch-1
CPU figures.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

# Appended, not prepended: an installed nas_backbones stays the one imported.
sys.path.append(str(Path(__file__).resolve().parents[2]))

from nas_backbones.ops.timing import (BACKENDS, TimingConfig, environment,  # noqa: E402
                                      make_runner, time_runner, timing_context)
from tools.deployment.pytorch2onnx import load_deploy_model  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog='\n'.join(__doc__.splitlines()[1:]))
    p.add_argument('model', metavar='CONFIG|ARCH', help='config .py, zoo name or arch file')
    p.add_argument('checkpoint', nargs='?', help='weights (optional: latency does not depend on them)')
    p.add_argument('--backends', nargs='+', default=list(BACKENDS), choices=BACKENDS)
    p.add_argument('--batch', type=int, nargs='+', default=[1, 8])
    p.add_argument('--threads', type=int, help='intra-op threads (default: the library default)')
    p.add_argument('--device', default='cpu', choices=('cpu', 'cuda'))
    p.add_argument('--channels-last', action='store_true', help='torch backends: channels-last')
    p.add_argument('--warmup', type=int, default=10)
    p.add_argument('--repeats', type=int, default=50)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--clock', default='wall', choices=('wall', 'cpu'))
    p.add_argument('--shape', type=int, nargs='+', help='input H [W] (default: the arch resolution)')
    p.add_argument('--backbone-only', action='store_true', help='the backbone (feature taps) only')
    p.add_argument('--json', help='write the results here')
    args = p.parse_args(argv)
    if args.shape is not None and len(args.shape) not in (1, 2):
        p.error('--shape: H or H W')
    if args.rounds < 1:
        p.error('--rounds: must be >= 1')
    return args


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f'{type(e).__name__}: {text[0] if text else ""}'[:160]


def build_cases(module, input_shape, args) -> list[dict]:
    """One timing case per (backend, batch): its runner is built and run
    once here (compilation, export, first call), or its error recorded."""
    cases = []
    for backend in args.backends:
        for batch in args.batch:
            cfg = TimingConfig(args.device, backend, batch, args.threads, args.channels_last,
                               args.warmup, args.repeats, args.clock)
            case = {'backend': backend, 'batch': batch, 'cfg': cfg, 'times': [], 'rounds': []}
            try:
                with timing_context(cfg):
                    case['run'] = make_runner(module, input_shape, cfg)
                    case['run']()
            except Exception as e:  # noqa: BLE001  reported in the table, never hidden
                case['error'] = first_line(e)
            cases.append(case)
    return cases


def time_cases(cases: list[dict], rounds: int) -> None:
    """``rounds`` passes over all cases (interleaved), each a full timing."""
    for _ in range(rounds):
        for case in cases:
            if 'error' in case:
                continue
            with timing_context(case['cfg']):
                times = time_runner(case['run'], case['cfg'])
            case['times'] += times
            case['rounds'].append(statistics.median(times))


def summary(case: dict) -> dict:
    row = {'backend': case['backend'], 'batch': case['batch']}
    if 'error' in case:
        row['error'] = case['error']
    else:
        med = statistics.median(case['times'])
        row.update(median_ms=med, best_round_ms=min(case['rounds']),
                   round_medians_ms=case['rounds'], images_per_s=case['batch'] * 1e3 / med)
    return row


def main(argv=None) -> dict:
    args = parse_args(argv)
    try:
        module, arch = load_deploy_model(args.model, args.checkpoint, args.backbone_only)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}') from None
    h = args.shape[0] if args.shape else arch.resolution
    w = args.shape[-1] if args.shape else arch.resolution
    cases = build_cases(module, (3, h, w), args)
    time_cases(cases, args.rounds)
    results = [summary(c) for c in cases]
    name = arch.name or Path(args.model).stem
    print(f'{name} {"backbone" if args.backbone_only else "classifier"} at {h}x{w}, '
          f'{args.device}, threads {args.threads or "default"}, {args.rounds} rounds x '
          f'{args.repeats} calls after {args.warmup} warm-up')
    print(f'| backend | batch | median (ms) | best round (ms) | images/s |\n|---|---|---|---|---|')
    for r in results:
        if 'error' in r:
            print(f'| {r["backend"]} | {r["batch"]} | unavailable: {r["error"]} | | |')
        else:
            print(f'| {r["backend"]} | {r["batch"]} | {r["median_ms"]:.2f} | '
                  f'{r["best_round_ms"]:.2f} | {r["images_per_s"]:.1f} |')
    report = {'model': args.model, 'arch': name, 'input': [3, h, w],
              'backbone_only': args.backbone_only,
              'settings': {k: v for k, v in vars(args).items() if k not in ('model', 'json')},
              'environment': environment(args.device), 'results': results}
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=1) + '\n')
    return report


if __name__ == '__main__':
    main()
