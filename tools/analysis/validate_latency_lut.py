"""Validate a latency table: predicted vs measured latency of random subnets.

Draws ``--num-archs`` random subnets of the table's space (another seed than
the calibration subnets the constant was fitted on), measures each end to
end with the table's own settings (device, backend, batch, threads, warm-up,
repeats, clock) and compares with ``LatencyEstimator.predict``: mean and max
absolute % error, the share within +-10 %, Kendall tau and Pearson r; also
the estimator's speed (predictions per second). Writes
``validation.{json,csv}`` and ``scatter.png`` into ``--out-dir``.

    python tools/analysis/validate_latency_lut.py work_dirs/luts/attentivenas_cpu_b1_t1.json \\
        --num-archs 50 --out-dir work_dirs/luts/attentivenas_cpu_b1_t1_validation
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

# Appended, not prepended: an installed nas_backbones stays the one imported.
sys.path.append(str(Path(__file__).resolve().parents[2]))

from nas_backbones.estimators.latency import LatencyEstimator, sample_atomnas_subnet  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('lut', help='latency table (build_latency_lut.py)')
    p.add_argument('--num-archs', type=int, default=30)
    p.add_argument('--seed', type=int, default=1000, help='seed of the subnets (not the '
                   "calibration's, default 0)")
    p.add_argument('--rounds', type=int, help='passes over the subnets, each keeps its '
                   "smallest median (default: the table's rounds)")
    p.add_argument('--speed-archs', type=int, default=20000,
                   help='fresh archs for the predictions/s figure')
    p.add_argument('--out-dir', required=True)
    return p.parse_args(argv)


def kendall_tau(x, y) -> float:
    from scipy.stats import kendalltau
    return float(kendalltau(x, y).statistic)


def pearson_r(x, y) -> float:
    import numpy as np
    return float(np.corrcoef(x, y)[0, 1])


def sampler_of(est: LatencyEstimator):
    table = est.table
    if table.space == 'attentivenas':
        space, classes = table.attentive_space(), table.settings['num_classes']
        return (lambda rng: space.sample(rng).replace(num_classes=classes)), space
    supernet = table.atomnas_supernet()
    return (lambda rng: sample_atomnas_subnet(supernet, rng)), None


def metrics(measured, predicted) -> dict:
    ape = [abs(p - m) / m * 100 for m, p in zip(measured, predicted)]
    return {'mape_pct': sum(ape) / len(ape), 'max_ape_pct': max(ape),
            'within_10pct': sum(a <= 10 for a in ape) / len(ape),
            'kendall_tau': kendall_tau(measured, predicted),
            'pearson_r': pearson_r(measured, predicted)}


def plot(rows, path: Path, title: str) -> bool:
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib missing: scatter.png not written', file=sys.stderr)
        return False
    m = [r['measured_ms'] for r in rows]
    p = [r['predicted_ms'] for r in rows]
    lo, hi = min(m + p) * 0.9, max(m + p) * 1.1
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.fill_between([lo, hi], [lo * 0.9, hi * 0.9], [lo * 1.1, hi * 1.1], color='0.9',
                    label='+-10 %')
    ax.plot([lo, hi], [lo, hi], 'k--', lw=1, label='predicted = measured')
    ax.scatter(m, p, s=12, label=f'{len(rows)} subnets')
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel('measured latency (ms)')
    ax.set_ylabel('predicted latency (ms)')
    ax.set_title(title, fontsize=9)
    ax.legend(loc='upper left', fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.num_archs < 2:
        raise SystemExit('error: --num-archs: at least 2 (Kendall tau needs pairs)')
    from nas_backbones.ops.latency_probe import measure_arch_ms
    from nas_backbones.ops.timing import TimingConfig, environment

    from tools.analysis._progress import Progress

    est = LatencyEstimator.load(args.lut)
    s = est.table.settings
    cfg = TimingConfig.from_settings(s)
    sample, space = sampler_of(est)
    rng = random.Random(args.seed)
    archs = [sample(rng) for _ in range(args.num_archs)]
    rounds = args.rounds or s.get('rounds', 1)
    times = [[] for _ in archs]
    bar = Progress(len(archs) * rounds, 'subnets x rounds')
    for _ in range(rounds):
        for arch, t in zip(archs, times):
            t.append(measure_arch_ms(arch, cfg, space))
            bar.update(1)
    bar.close()
    rows = [{'measured_ms': min(t), 'rounds_ms': t, 'predicted_ms': est.predict(arch),
             'block_sum_ms': est.block_sum(arch), 'arch': arch.to_dict()}
            for arch, t in zip(archs, times)]
    fresh = [sample(rng) for _ in range(max(args.speed_archs, 1))]
    t0 = time.perf_counter()
    est.predict_many(fresh)
    speed = len(fresh) / (time.perf_counter() - t0)
    measured = [r['measured_ms'] for r in rows]
    report = {'lut': str(args.lut), 'space': est.table.space, 'settings': s,
              'environment': environment(s['device']), 'num_archs': len(rows), 'seed': args.seed, 'rounds': rounds,
              'offset_ms': est.offset_ms,
              **metrics(measured, [r['predicted_ms'] for r in rows]),
              'without_offset': metrics(measured, [r['block_sum_ms'] for r in rows]),
              'predictions_per_s': speed, 'rows': rows}
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'validation.json').write_text(json.dumps(report, indent=1) + '\n')
    with (out / 'validation.csv').open('w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['measured_ms', 'predicted_ms', 'block_sum_ms', 'abs_pct_error'])
        for r in rows:
            w.writerow([f'{r["measured_ms"]:.4f}', f'{r["predicted_ms"]:.4f}',
                        f'{r["block_sum_ms"]:.4f}',
                        f'{abs(r["predicted_ms"] - r["measured_ms"]) / r["measured_ms"] * 100:.2f}'])
    title = (f'{est.table.space} {s["device"]}/{s["backend"]} batch {s["batch"]} threads '
             f'{s["threads"]}: MAPE {report["mape_pct"]:.1f} %, tau {report["kendall_tau"]:.3f}')
    plot(rows, out / 'scatter.png', title)
    print(f'[nas_backbones] latency table validation ({len(rows)} subnets, measured '
          f'{min(measured):.2f}-{max(measured):.2f} ms): mean abs error {report["mape_pct"]:.2f} % '
          f'(max {report["max_ape_pct"]:.1f} %, {100 * report["within_10pct"]:.0f} % within '
          f'+-10 %), Kendall tau {report["kendall_tau"]:.3f}, Pearson r {report["pearson_r"]:.3f}; '
          f'{speed:,.0f} predictions/s | {out}', flush=True)
    return report


if __name__ == '__main__':
    main()
