"""Measure the latency of every published net and plot top-1 against it.

    python tools/analysis/zoo_latency.py --backends torch onnxruntime --batch 1 --threads 1 \\
        --rounds 3 --out-dir benchmarks/zoo_latency

Each net (configs/*/metafile.yml: arch, resolution, the paper's top-1) is
timed as ``benchmark_latency.py`` times one (same timing code), and the
rounds are interleaved over all nets and backends, so a burst of other load
hits one round of every variant. Writes ``zoo_latency.json`` (machine,
versions, settings, per net and backend the median and round medians),
``zoo_latency.md`` (the zoo table's latency columns) and
``zoo_latency.png`` (top-1 vs measured latency, both families, one panel
per backend). Weights do not change latency: the nets are freshly built.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

# Appended, not prepended: an installed nas_backbones stays the one imported.
sys.path.append(str(Path(__file__).resolve().parents[2]))

from nas_backbones.estimators import count_cost  # noqa: E402
from nas_backbones.ops.timing import BACKENDS, environment  # noqa: E402
from tools.analysis.benchmark_latency import build_cases, summary, time_cases  # noqa: E402
from tools.deployment.pytorch2onnx import load_deploy_model  # noqa: E402

METAFILES = ('atomnas/metafile.yml', 'attentivenas/metafile.yml')  # under the configs folder
FAMILY = {'atomnas': 'AtomNAS', 'attentivenas': 'AttentiveNAS'}


def published_nets(configs_dir: str = 'configs') -> list[dict]:
    """One row per published arch (name, arch, the paper's top-1), in
    metafile order: the first model of each arch with an ImageNet top-1
    (a metafile may list an arch twice, e.g. converted weights and a
    retrain config, or without a result)."""
    nets: dict[str, dict] = {}
    for rel in METAFILES:
        for m in yaml.safe_load((Path(configs_dir) / rel).read_text())['Models']:
            arch = m['Metadata']['Arch']
            top1 = next((r['Metrics'].get('Top 1 Accuracy') for r in m.get('Results') or []
                         if r.get('Task') == 'Image Classification'), None)
            if top1 is not None and arch not in nets:
                nets[arch] = {'name': m.get('Alias', m['Name']), 'arch': arch, 'top1': top1}
    return list(nets.values())


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--configs', default='configs',
                   help="the checkout's configs folder with the metafiles (default: ./configs)")
    p.add_argument('--backends', nargs='+', default=['torch', 'onnxruntime'], choices=BACKENDS)
    p.add_argument('--batch', type=int, nargs='+', default=[1])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default='cpu', choices=('cpu', 'cuda'))
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--warmup', type=int, default=10)
    p.add_argument('--repeats', type=int, default=30)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--clock', default='wall', choices=('wall', 'cpu'))
    p.add_argument('--names', nargs='+', help='only these archs (e.g. atomnas_a attentivenas_a0)')
    p.add_argument('--out-dir', required=True)
    return p.parse_args(argv)


def plot(rows: list[dict], backends: list[str], batch: int, path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(backends), figsize=(5.5 * len(backends), 4.2), squeeze=False)
    for ax, backend in zip(axes[0], backends):
        for family, marker in (('AtomNAS', 'o'), ('AttentiveNAS', 's')):
            pts = [(r['latency'][f'{backend}/b{batch}'], r['top1'], r['name']) for r in rows
                   if r['family'] == family and r['latency'].get(f'{backend}/b{batch}')]
            if not pts:
                continue
            ax.scatter([x for x, _, _ in pts], [y for _, y, _ in pts], marker=marker, label=family)
            for x, y, name in pts:
                ax.annotate(name.split('-')[-1], (x, y), textcoords='offset points',
                            xytext=(4, -10), fontsize=7)
        ax.set_xlabel(f'measured latency, {backend}, batch {batch} (ms)')
        ax.set_ylabel('ImageNet top-1 (%, paper)')
        ax.grid(alpha=0.3)
        ax.legend(loc='best')
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> dict:
    args = parse_args(argv)
    nets = [n for n in published_nets(args.configs) if not args.names or n['arch'] in args.names]
    if not nets:
        raise SystemExit(f'error: --names: none of {args.names} is a published arch')
    all_cases = []
    for net in nets:
        module, arch = load_deploy_model(net['arch'], None)
        net['family'] = FAMILY[arch.family]
        net['resolution'] = arch.resolution
        net['mflops'] = round(count_cost(arch).mflops, 2)
        net['cases'] = build_cases(module, (3, arch.resolution, arch.resolution), args)
        all_cases += net['cases']
        print(f'prepared {net["name"]}', file=sys.stderr, flush=True)
    for r in range(args.rounds):  # one round = every net and backend once
        time_cases(all_cases, 1)
        print(f'round {r + 1}/{args.rounds} done', file=sys.stderr, flush=True)
    rows = []
    for net in nets:
        results = [summary(c) for c in net.pop('cases')]
        net['results'] = results
        net['latency'] = {f'{r["backend"]}/b{r["batch"]}': r.get('median_ms') for r in results}
        rows.append(net)
    env = environment(args.device)
    report = {'settings': vars(args), 'environment': env, 'nets': rows}
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'zoo_latency.json').write_text(json.dumps(report, indent=1) + '\n')
    cols = [f'{b}/b{n}' for b in args.backends for n in args.batch]
    lines = ['| model | resolution | MFLOPs | top-1 (%) | ' + ' | '.join(
        f'{c} (ms)' for c in cols) + ' |', '|---|---|---|---|' + '---|' * len(cols)]
    for r in rows:
        cells = [f'{r["latency"][c]:.2f}' if r['latency'].get(c) else 'n/a' for c in cols]
        lines.append(f'| {r["name"]} | {r["resolution"]} | {r["mflops"]} | {r["top1"]} | '
                     + ' | '.join(cells) + ' |')
    where = (f'{env["cpu"]} ({env["cpu_count"]} cores), {args.device}, {args.threads} thread(s), '
             f'torch {env["torch"]}, onnxruntime {env["onnxruntime"]}; median of '
             f'{args.rounds} interleaved rounds x {args.repeats} calls, {args.clock} clock')
    (out / 'zoo_latency.md').write_text('\n'.join(lines) + f'\n\n{where}\n')
    plot(rows, args.backends, args.batch[0], out / 'zoo_latency.png', where)
    print('\n'.join(lines))
    print(where)
    return report


if __name__ == '__main__':
    main()
