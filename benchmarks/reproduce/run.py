"""Reproduce the AtomNAS and AttentiveNAS papers' claims side by side at a
proxy scale, through the code paths of the ImageNet configs, and write
REPORT.md with tables, plots and a verdict per claim.

    python benchmarks/reproduce/run.py [--claims 1,2,3,4,5] [--scale cpu|gpu|toy]
        [--seeds N] [--out DIR] [--data-root DIR] [--report FILE] [--dry-run]

1. AtomNAS Table 2: resource-aware penalty vs uniform L1 at equal FLOPs.
2. AtomNAS Sec. 4.3.3: search + train wall time vs training the final net.
3. AtomNAS Table 3: BN recalibration of the searched net, on vs off.
4. AttentiveNAS Fig. 5-6: BestUp-3 / WorstUp-3 / FLOPs prior vs uniform fronts.
5. AttentiveNAS Fig. 4: random-forest predictor, Kendall tau on held-out subnets.

``configs/reproduce/<scale>/plan.py`` holds the data size, seeds and every
arm's settings; the arms' configs beside it inherit the published demo
recipes and change sizes only. The data set is built with
tools/data/build_imagenet_demo.py. Every arm keeps a result file under
``OUT/arms``: rerunning the same command skips finished arms (an interrupted
run resumes), and a result written with other settings is refused. The
report goes to benchmarks/reproduce/REPORT.md for ``--scale cpu`` (the
committed one), else to OUT/REPORT.md; plots to ``figures/`` beside it.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

# Before torch loads OpenMP (as tools/train.py): spinning threads make CPU
# runs much slower when the cores are shared.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

REPO = Path(__file__).resolve().parents[2]
# Run as a script, this folder is sys.path[0]: its stats.py / report.py must
# not shadow top-level modules; the harness is imported as benchmarks.reproduce.
if sys.path and Path(sys.path[0] or '.').resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.reproduce.arms import ArmStore, git_state  # noqa: E402
from benchmarks.reproduce import claims_atomnas as c13  # noqa: E402
from benchmarks.reproduce import claims_attentive as c45  # noqa: E402
from benchmarks.reproduce.report import write_report  # noqa: E402

SCALES = ('cpu', 'gpu', 'toy')
CLAIMS = (1, 2, 3, 4, 5)
PLAN_KEYS = ('num_seeds', 'data', 'claim1', 'claim2', 'claim3', 'claim4', 'claim5', 'notes')
ARMS = {1: c13.claim1_arms, 2: c13.claim2_arms, 3: c13.claim3_arms, 4: c45.claim4_arms,
        5: c45.claim5_arms}


def parse_claims(text: str) -> list[int]:
    try:
        claims = sorted({int(c) for c in text.split(',') if c.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f'--claims: expected numbers like 1,2,5, got {text!r}')
    if not claims or any(c not in CLAIMS for c in claims):
        raise argparse.ArgumentTypeError(f'--claims: each of {CLAIMS}, got {text!r}')
    return claims


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0].replace('\n', ' '))
    p.add_argument('--claims', type=parse_claims, default=list(CLAIMS),
                   help='comma-separated claims to run and report (default: all)')
    p.add_argument('--scale', choices=SCALES, default='cpu',
                   help='configs/reproduce/<scale>/: cpu (~1 h on 2 cores), gpu (one GPU), '
                   'toy (minutes; the test)')
    p.add_argument('--seeds', type=int, help="seeds 0..N-1 (default: the plan's num_seeds)")
    p.add_argument('--out', help='arms and results (default: work_dirs/reproduce/<scale>)')
    p.add_argument('--data-root', help="the data set (default: the plan's data.root)")
    p.add_argument('--report', help='REPORT.md to write (default: benchmarks/reproduce/'
                   'REPORT.md for --scale cpu, else OUT/REPORT.md)')
    p.add_argument('--dry-run', action='store_true',
                   help='list the arms and whether they have finished; run nothing')
    args = p.parse_args(argv)
    if args.seeds is not None and args.seeds < 1:
        p.error(f'--seeds: expected >= 1, got {args.seeds}')
    return args


def load_plan(scale: str):
    from mmengine.config import Config
    path = REPO / 'configs' / 'reproduce' / scale / 'plan.py'
    plan = Config.fromfile(str(path))
    missing = [k for k in PLAN_KEYS if k not in plan]
    if missing:
        raise KeyError(f'{path}: missing {missing}')
    return plan


def collect_arms(plan, claims, seeds) -> list:
    """The arms of ``claims`` and those they build on, each once, in
    execution order: (group, seed, phase), then as listed."""
    seen, arms = {}, []
    for claim in claims:
        for arm in ARMS[claim](plan, seeds):
            if arm.id in seen:
                if seen[arm.id] != arm:
                    raise ValueError(f'{arm.id}: two claims define it differently')
                continue
            seen[arm.id] = arm
            arms.append(arm)
    index = {a.id: i for i, a in enumerate(arms)}
    return sorted(arms, key=lambda a: (a.group, a.seed, a.phase, index[a.id]))


def build_data(plan, root: Path) -> Path:
    from tools.data.build_imagenet_demo import build_imagenet_demo
    d = plan.data
    return build_imagenet_demo(root, classes=d.classes, train_per_class=d.train_per_class,
                               val_per_class=d.val_per_class, size=d.size, seed=d.seed)


def main(argv=None) -> Path:
    args = parse_args(argv)
    load = os.getloadavg()[0]
    plan = load_plan(args.scale)
    seeds = list(range(args.seeds or plan.num_seeds))
    out = Path(args.out or REPO / 'work_dirs' / 'reproduce' / args.scale).resolve()
    data_root = Path(args.data_root or REPO / plan.data.root).resolve()
    report = Path(args.report) if args.report else (
        REPO / 'benchmarks' / 'reproduce' / 'REPORT.md' if args.scale == 'cpu'
        else out / 'REPORT.md')
    arms = collect_arms(plan, args.claims, seeds)
    lists = c45.subnet_lists(plan) if set(args.claims) & {4, 5} else {}
    store = ArmStore(out, str(data_root), lists)
    if args.dry_run:
        for arm in arms:
            done = (store.folder(arm.id) / 'result.json').is_file()
            print(f'{arm.id:28s} {arm.kind:5s} {arm.config} {"done" if done else "to run"}')
        return out
    print(f'[reproduce] scale {args.scale}, claims {args.claims}, seeds {seeds}: {len(arms)} '
          f'arms into {out}; data {build_data(plan, data_root)}', flush=True)
    t0 = time.perf_counter()
    for arm in arms:
        store.ensure(arm)
    print(f'[reproduce] arms finished in {(time.perf_counter() - t0) / 60:.1f} min', flush=True)

    fig_dir = report.parent / 'figures'
    fig_dir.mkdir(parents=True, exist_ok=True)
    reports = []
    for claim in args.claims:
        if claim == 5:
            reports.append(c45.claim5_report(plan, seeds, store, fig_dir, out))
        else:
            fn = {1: c13.claim1_report, 2: c13.claim2_report, 3: c13.claim3_report,
                  4: c45.claim4_report}[claim]
            reports.append(fn(plan, seeds, store, fig_dir))
    records = [store.record(a.id) for a in arms]
    rows = [[a.id, a.kind, f'`{a.config}`', a.seed, f'{r["wall_s"]:.0f}',
             f'{r["loadavg_before"][0]:.2f}', 'now' if a.id in store.ran else f'earlier '
             f'({r["started"]})', r['git']] for a, r in zip(arms, records)]
    command = 'python benchmarks/reproduce/run.py ' + ' '.join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    header = dict(scale=args.scale, command=command.strip(), git=git_state(),
                  arms_run=len(store.ran), arms_reused=len(arms) - len(store.ran),
                  arm_minutes=sum(r['wall_s'] for r in records) / 60, load=load,
                  seeds=seeds, plan=f'configs/reproduce/{args.scale}/plan.py',
                  data=(f'{plan.data.classes} Fashion-MNIST classes, {plan.data.train_per_class} '
                        f'train / {plan.data.val_per_class} val images per class at '
                        f'{plan.data.size} px (tools/data/build_imagenet_demo.py)'))
    path = write_report(report, reports, header, rows, plan.notes)
    for c in reports:
        print(f'[reproduce] claim {c.number}: {c.verdict} ({c.measured})')
    print(f'[reproduce] report: {path}', flush=True)
    return path


if __name__ == '__main__':
    main()
