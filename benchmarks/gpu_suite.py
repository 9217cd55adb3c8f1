"""One prepared GPU run of the training-step benchmarks (issue 13).

    python benchmarks/gpu_suite.py [--budget-s 300] [--compile] [--authors-src DIR] [--out DIR]
    python benchmarks/gpu_suite.py --smoke          # tiny sizes on CPU (the test runs this)

In one process, cudnn.benchmark on, for every configuration of --batch (64 256)
x --precisions (fp32 = PyTorch's defaults, i.e. cuDNN convs in TF32; bf16 =
bf16 autocast) x --formats (contiguous channels_last), these rows train on
random tensors, timed in interleaved rounds (one step of every row per round,
the row order rotated each round, so drifts of clock or load hit all alike):

* atomnas: torchvision MobileNetV2; the AtomNAS supernet (stem 32) and the
  supernet shrunk in place (``shrink_to_arch``) to AtomNAS-B and -A (stem 16),
  at 224 (``bench_atomnas_step``'s models and step).
* attentive: the AttentiveNAS sandwich step (max, two archs drawn with seed 0,
  min; in-place KD, clip, one SGD step: ``bench_attentivenas.Sandwich``) vs the
  sum of the same four subnets' static steps (``AttentiveSupernet.to_static``,
  the export path), each static net fed at its own resolution.
* bestup: BestUp-3 (loss) step vs a uniform sandwich training the same archs.
  Fresh archs bring fresh conv shapes, which cudnn.benchmark tunes on first
  sight; so that neither timed step pays for that, the warm-up rounds run the
  real sampler (and the uniform step on its winners), and each timed round
  replays one warm-up round's candidates and winners: all three scoring
  forwards per slot, the host read of their losses, the winner's training
  (only the ~0.2 ms FLOPs-prior draw is left out); the uniform step trains the
  same winners; the two alternate in order. The warm-up steps' times (JSON
  ``warmup_ms``) show what fresh archs cost while cudnn.benchmark tunes them.
* compile (``--compile``; at ``--compile-at`` only, with the eager attentive
  rows beside it): ``torch.compile(dynamic=False)`` of the four static nets and
  of the supernet the sandwich runs (one graph per arch). The first step
  (compile) and the steady state are reported separately.
* authors (``--authors-src DIR``): the authors' AtomNAS supernet (atomnas
  group) and the authors' sandwich on the same four archs (attentive group),
  in the same memory format and precision; see ``authors_models.py``.

Per row: median step ms, min-max over the timed rounds, img/s, the first
(cold) step, and peak GPU memory above what was allocated before the step
(``max_memory_allocated``, reset before every step; the max over rounds). The
ratio table (printed last) has what the issue asks: sandwich / summed static
(target <= 1.5x; original code 21.3 img/s at batch 64 fp32 on an H100),
AtomNAS supernet / MobileNetV2 beside the FLOPs ratio (target <= 1.2x it;
original 475 img/s), BestUp-3 / uniform (target <= 1.2x). JSON goes to
``--out`` or ``$OUT`` (``gpu_suite.json``).

Time: --budget-s (300) of timed work plus ~30 s of start and building. The
estimate: a training step costs its forward MACs x batch / R, with R = 300.8
MMACs x 2175 img/s = 0.65 TMAC/s (MobileNetV2 training on an H100, in the
issue). One round of all rows is ~19 GMACs per image: atomnas 2.4 (1521 + 326
+ 258 + 301 MMACs), attentive 2 x 4.0 (the four archs: 1939 + 1052 + 807 + 203),
bestup 8.7 (a uniform sandwich of max + min + two ~740-MMAC prior draws is
3.6; BestUp adds 3 no-grad forwards per slot, ~2 x 0.74); so ~1.9 s per round
at batch 64 and ~7.5 s at 256; 8 configurations x (2 warm-up + 6 timed) rounds
~ 300 s. Nothing shows that our supernets train at MobileNetV2's MACs/s, so
the budget is enforced, not assumed: each configuration gets a share of what
is left in proportion to its batch, its timed rounds (at most --rounds, at
least --min-rounds) follow from its last warm-up round, and a configuration
whose minimum is predicted (from the previous one, scaled by batch) not to fit
is skipped and listed as such.

Imports torch, torchvision, PyYAML, numpy and nas_backbones' torch-only
layers (arch, estimators, ops, samplers, supernets), no OpenMMLab. The H200
machine this was prepared for (Python 3.12, torch 2.11, torchvision 0.26,
PyYAML and numpy installed) needs nothing carried: from the repository root,
one command, 480 s timeout (JSON and log land in $OUT):

    set -o pipefail; PYTHONUNBUFFERED=1 PYTHONPATH=$PWD python3 benchmarks/gpu_suite.py \
        2>&1 | tee $OUT/gpu_suite.log

With the authors' code: export their repositories with ``git archive HEAD``
into ``.authors/atomnas`` (meijieru/AtomNAS) and ``.authors/attentivenas``
(facebookresearch/AttentiveNAS), 4.8 MB, kept out of git
(``echo /.authors/ >> .git/info/exclude``; never commit it), carry
``.authors`` and add ``--authors-src .authors --batch 64`` (the authors'
sandwich took 3 s a step at batch 64: at 256 it would eat the budget).
torch.compile rows get their own call (compile time not yet measured):
``--compile --groups compile --batch 64 --precisions bf16 --formats channels_last``.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from pathlib import Path

import torch
import torchvision

from bench_atomnas_step import Step, build_models, device_name
from bench_attentivenas import Sandwich, static_step_fn
from suite_report import print_tables, ratios, summarise, write_json
from nas_backbones.arch import default_attentive_space
from nas_backbones.estimators import count_flops
from nas_backbones.samplers import AttentiveSampler, FlopsTable, UniformSampler
from nas_backbones.supernets import AttentiveSupernet

GROUPS = ('atomnas', 'attentive', 'bestup', 'compile')
ATOMNAS_ROWS = {'atomnas_supernet': 'AtomNAS supernet (stem 32)',  # row: build_models' name
                'atomnas_shrunk_b': 'supernet shrunk to B',
                'atomnas_shrunk_a': 'supernet shrunk to A', 'mobilenet_v2': 'torchvision MobileNetV2'}
REF_MACS_PER_S = 300.84e6 * 2175  # MobileNetV2 training on an H100 (the issue)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batch', type=int, nargs='+', help='default: 64 256 (--smoke: 2)')
    p.add_argument('--precisions', nargs='+', default=['fp32', 'bf16'], choices=['fp32', 'bf16'])
    p.add_argument('--formats', nargs='+', default=['contiguous', 'channels_last'],
                   choices=['contiguous', 'channels_last'])
    p.add_argument('--groups', nargs='+', default=['atomnas', 'attentive', 'bestup'],
                   choices=GROUPS)
    p.add_argument('--budget-s', type=float, default=300.0, help='timed work, all configurations')
    p.add_argument('--warmup', type=int, help='untimed rounds per configuration (2; smoke 1)')
    p.add_argument('--rounds', type=int, help='most timed rounds per configuration (10; smoke 1)')
    p.add_argument('--min-rounds', type=int, help='fewest timed rounds (3; smoke 1)')
    p.add_argument('--compile', action='store_true', help='add the compile group')
    p.add_argument('--compile-at', help='batch,precision,format of the compile rows (default: '
                   '64,bf16,channels_last; with --smoke the last configuration)')
    p.add_argument('--compile-backend', help='torch.compile backend (inductor; --smoke: eager, '
                   'i.e. dynamo tracing without code generation)')
    p.add_argument('--authors-src', type=Path, help="folder with the authors' exported code")
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--out', type=Path, default=os.environ.get('OUT') or None,
                   help='folder for gpu_suite.json (default: $OUT when set)')
    p.add_argument('--smoke', action='store_true',
                   help='CPU check: batch 2, AtomNAS at 64 px, AttentiveNAS at 32/48 px, 1+1 rounds')
    args = p.parse_args(argv)
    if args.compile and 'compile' not in args.groups:
        args.groups.append('compile')
    if 'compile' in args.groups and 'attentive' not in args.groups:
        args.groups.append('attentive')  # compiled rows are compared with eager ones
    for name, full, smoke in (('batch', [64, 256], [2]), ('warmup', 2, 1), ('rounds', 10, 1),
                              ('min_rounds', 3, 1), ('compile_backend', 'inductor', 'eager')):
        if getattr(args, name) is None:
            setattr(args, name, smoke if args.smoke else full)
    if args.compile_at is None:
        args.compile_at = (f'{args.batch[-1]},{args.precisions[-1]},{args.formats[-1]}'
                           if args.smoke
                           else '64,bf16,channels_last')
    parts = args.compile_at.split(',')
    if (len(parts) != 3 or not parts[0].isdigit() or parts[1] not in ('fp32', 'bf16')
            or parts[2] not in ('contiguous', 'channels_last')):
        p.error(f'--compile-at {args.compile_at!r}: expected BATCH,fp32|bf16,contiguous|channels_last')
    args.compile_cfg = (int(parts[0]), parts[1], parts[2])
    args.configs = [(b, q, f) for b in args.batch for q in args.precisions for f in args.formats]
    if args.smoke:  # every code path in half the configurations: i-th precision, i-th format
        args.configs = [(b, q, f) for b in args.batch
                        for q, f in zip(args.precisions, args.formats)]
    if 'compile' in args.groups and args.compile_cfg not in args.configs:
        p.error(f'--compile-at {args.compile_at}: not one of the configurations run')
    if not args.smoke and not args.device.startswith('cuda'):
        p.error(f'--device {args.device}: the suite times GPU steps; use --smoke on a CPU')
    return args


class Timer:
    """Times named rows inside one round; a row measured several times in a
    round (the four static nets) sums; peak memory is the max over its steps."""

    def __init__(self, device: torch.device):
        self.cuda = device.type == 'cuda'
        self.round, self.cur, self.peak = 0, {}, {}

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def measure(self, row, fn, *args):
        self.sync()
        if self.cuda:
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
        t = time.perf_counter()
        out = fn(*args)
        self.sync()
        self.cur[row] = self.cur.get(row, 0.0) + time.perf_counter() - t
        if self.cuda:
            self.peak[row] = max(self.peak.get(row, 0), torch.cuda.max_memory_allocated() - base)
        return out


class Replay:
    """Sampler that replays recorded (candidates, winner) slots."""

    def __init__(self):
        self.slots, self.cur = [], None

    def candidates(self):
        self.cur = self.slots.pop(0)
        return self.cur[0]

    def select(self, scores):
        if len(scores) != len(self.cur[0]):
            raise RuntimeError(f'replay: {len(scores)} scores for {len(self.cur[0])} candidates')
        return self.cur[1]


class Recording:
    """Wraps a sampler and records what it draws and picks."""

    def __init__(self, sampler):
        self.sampler, self.slots = sampler, []

    def candidates(self):
        cands = self.sampler.candidates()
        self.slots.append([cands, None])
        return cands

    def select(self, scores):
        self.slots[-1][1] = self.sampler.select(scores)
        return self.slots[-1][1]


def attentive_units(cfg, nets, space, middle, x, y, args, table, authors):
    """name -> unit(timer) for the attentive, bestup and compile groups."""
    batch, prec, fmt = cfg
    amp, net = prec == 'bf16', nets[fmt]
    mf = torch.channels_last if fmt == 'channels_last' else torch.contiguous_format
    archs = (space.max_arch(), *middle, space.min_arch())
    units = {}

    def statics(compiled):
        steps = []
        for a in archs:
            model = net.to_static(a).to(x.device, memory_format=mf).train()
            if compiled:
                model = torch.compile(model, backend=args.compile_backend, dynamic=False)
            xs = net.resize(x, a.resolution).contiguous(memory_format=mf)
            steps.append(static_step_fn(model, xs, y, amp))
        return steps

    def static_unit(row, steps):
        return lambda t: [t.measure(row, s) for s in steps]

    def sandwich_unit(row, sand):
        return lambda t: t.measure(row, sand.step, x, y, middle)

    if 'attentive' in args.groups:
        units['sandwich'] = sandwich_unit('sandwich', Sandwich(net, None, amp))
        units['static_sum'] = static_unit('static_sum', statics(False))
        if authors is not None:
            theirs = authors.prepare(x.device, mf, middle, amp)
            units['authors_sandwich'] = lambda t: t.measure('authors_sandwich', theirs.step, x, y)
    if 'bestup' in args.groups:
        rec = Recording(AttentiveSampler(space, random.Random(1), table=table))
        real, replay = Sandwich(net, rec, amp), Replay()
        best, uniform = Sandwich(net, replay, amp), Sandwich(net, UniformSampler(space), amp)
        pool = []

        def bestup_unit(t):
            if t.round < args.warmup:  # the real sampler; tunes the drawn archs' shapes
                rec.slots = []
                trained = t.measure('bestup3', real.step, x, y)
                pool.append((list(rec.slots), trained))
                t.measure('uniform', uniform.step, x, y, trained)
                return
            slots, trained = pool[t.round % len(pool)]
            replay.slots = list(slots)
            pair = [('bestup3', lambda: best.step(x, y)),
                    ('uniform', lambda: uniform.step(x, y, trained))]
            for row, fn in (pair if t.round % 2 == 0 else pair[::-1]):
                t.measure(row, fn)
        units['bestup'] = bestup_unit
    if 'compile' in args.groups and cfg == args.compile_cfg:
        cnet = torch.compile(net, backend=args.compile_backend, dynamic=False)
        units['sandwich_compiled'] = sandwich_unit('sandwich_compiled', Sandwich(cnet, None, amp))
        units['static_sum_compiled'] = static_unit('static_sum_compiled', statics(True))
    return units


def run_config(cfg, units, timer, args, seconds_left, share, predicted):
    """Warm-up and timed rounds of one configuration within ``share`` seconds:
    (times, warm-up times, note, round_s), or (None, None, note, None) when even its
    minimum (``predicted`` seconds) does not fit in ``seconds_left``."""
    if predicted is not None and predicted > seconds_left:
        return None, None, f'skipped: predicted {predicted:.0f} s, {seconds_left:.0f} s left', None
    start = time.perf_counter()
    times, first, failed, order = {}, {}, [], list(units)
    r, n_timed, round_s = 0, None, 0.0
    while n_timed is None or r < args.warmup + n_timed:
        timer.round, timer.cur = r, {}
        k = r % len(order)
        t0 = time.perf_counter()
        for name in order[k:] + order[:k]:
            if name in failed:
                continue
            try:
                units[name](timer)
            except torch.cuda.OutOfMemoryError as e:
                failed.append(name)
                print(f'# {cfg} {name}: out of memory ({str(e).splitlines()[0]})', flush=True)
                torch.cuda.empty_cache()
        round_s = time.perf_counter() - t0
        for row, dt in timer.cur.items():
            (times if r >= args.warmup else first).setdefault(row, []).append(dt)
        r += 1
        if r == args.warmup:
            share -= time.perf_counter() - start
            n_timed = max(args.min_rounds, min(args.rounds, int(share / max(round_s, 1e-9))))
    note = f'{n_timed} timed rounds of {round_s:.1f} s'
    if failed:
        note += f'; out of memory: {failed}'

    return times, first, note, round_s


def main(argv=None):
    args = parse_args(argv)
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    if args.smoke and device.type == 'cpu':
        torch.set_num_threads(1)  # tiny tensors; no OpenMP barriers on shared CI cores
    res = 64 if args.smoke else 224
    space = default_attentive_space()
    if args.smoke:
        space = dataclasses.replace(space, resolutions=(32, 48))
    rng = random.Random(0)
    middle = (space.sample(rng), space.sample(rng))
    archs = (space.max_arch(), *middle, space.min_arch())
    table = FlopsTable.build(space, 2000 if args.smoke else 20000, 0)
    atom = {}
    if 'atomnas' in args.groups:
        built = build_models(shrunk=True)
        atom = {row: built[name] for row, name in ATOMNAS_ROWS.items()}
    mmacs = {k: v[1] for k, v in atom.items()}
    mmacs['sandwich'] = mmacs['static_sum'] = sum(count_flops(a, space=space) for a in archs) / 1e6
    authors = None
    if args.authors_src is not None and 'attentive' in args.groups:
        from authors_models import AuthorsSandwich
        authors = AuthorsSandwich(args.authors_src, space.resolutions if args.smoke else None)
        mmacs['authors_sandwich'] = mmacs['sandwich']
    if args.authors_src is not None and atom:
        from authors_models import atomnas_supernet
        atom['authors_atomnas_supernet'] = (atomnas_supernet(args.authors_src, res),
                                            mmacs['atomnas_supernet'])
    nets = ({f: AttentiveSupernet(space, channels_last=f == 'channels_last').to(device)
             for f in args.formats} if {'attentive', 'bestup'} & set(args.groups) else {})
    configs = args.configs
    env = dict(device=device_name(args.device), torch=torch.__version__,
               torchvision=torchvision.__version__, python=sys.version.split()[0],
               cudnn=torch.backends.cudnn.version(), cudnn_tf32=torch.backends.cudnn.allow_tf32,
               matmul_tf32=torch.backends.cuda.matmul.allow_tf32, argv=sys.argv[1:])
    if authors is not None:  # same networks: equal parameter counts (23934704, 11242152)
        n_params = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
        env['params_ours_vs_authors'] = {
            'attentive': (n_params(next(iter(nets.values()), None) or AttentiveSupernet(space)),
                          n_params(authors.net)),
            **({'atomnas': (n_params(atom['atomnas_supernet'][0]),
                            n_params(atom['authors_atomnas_supernet'][0]))} if atom else {})}
    # Estimate (docstring): forward MACs per image of one round, at MobileNetV2's rate.
    mid = float(table.flops.mean())
    sand = count_flops(archs[0], space=space) + count_flops(archs[-1], space=space) + 2 * mid
    per_img = (sum(mmacs.get(k, 0) * 1e6 for k in atom) * ('atomnas' in args.groups)
               + 1e6 * (2 * mmacs['sandwich'] + mmacs.get('authors_sandwich', 0))
               * ('attentive' in args.groups)
               + (2 * sand + 2 * mid) * ('bestup' in args.groups))
    est = {f'b{b}': per_img * b / REF_MACS_PER_S for b in args.batch}
    print(f'# {env}\n# estimated round at MobileNetV2 MACs/s: '
          + ', '.join(f'{k} {v:.1f} s' for k, v in est.items())
          + f'; {len(configs)} configurations; budget {args.budget_s:.0f} s', flush=True)
    timer, results, table_r, notes, last = Timer(device), {}, {}, {}, None
    start = time.perf_counter()
    for i, cfg in enumerate(configs):
        batch, prec, mf = cfg
        key = f'b{batch}_{prec}_{mf}'
        memf = torch.channels_last if mf == 'channels_last' else torch.contiguous_format
        g = torch.Generator().manual_seed(batch)
        side = max(space.resolutions)
        x = torch.randn(batch, 3, side, side, generator=g).to(device, memory_format=memf)
        y = torch.randint(0, 1000, (batch,), generator=g).to(device)
        units = {}
        for name, (model, _) in atom.items():
            step = Step(model, batch, args.device, 'amp' if prec == 'bf16' else 'fp32', mf, resolution=res)
            units[name] = (lambda n, s: lambda t: t.measure(n, s))(name, step)
        if nets:
            units.update(attentive_units(cfg, nets, space, middle, x, y, args, table, authors))
        timer.peak = {}
        predicted = (None if last is None
                     else last[1] * batch / last[0] * (args.warmup + args.min_rounds))
        # Shares in proportion to batch (a round's cost), so all get similar rounds.
        left = args.budget_s - (time.perf_counter() - start)
        share = left * batch / sum(c[0] for c in configs[i:])
        times, first, notes[key], round_s = run_config(cfg, units, timer, args, left, share,
                                                       predicted)
        if times is not None:
            last = (batch, round_s)
            results[key] = summarise(cfg, times, first, timer.peak, mmacs)
            table_r[key] = ratios(results[key], mmacs)
        print(f'# {key}: {notes[key]}; ' + ', '.join(f'{k} {v:.2f}' for k, v in
                                                    table_r.get(key, {}).items()), flush=True)
        write_json(args, env=env, estimate_round_s=est, budget_s=args.budget_s, notes=notes,
                   rows=results, ratios=table_r)
        del units, x, y
        if device.type == 'cuda':
            torch.cuda.empty_cache()
    print_tables(results, table_r, notes)
    return results, table_r, notes


if __name__ == '__main__':
    main()
