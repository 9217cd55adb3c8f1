"""AttentiveNAS speed benchmarks (torch + nas_backbones' torch-only layers).

    python benchmarks/bench_attentivenas.py [--batch 16] [--res 64 96] [--reps 3] [--quick]
        [--only bestup]

1. Sandwich step (max + 2 sampled + min, in-place KD, clip, one SGD step) vs
   the sum of the same four subnets' static step times at equal batch,
   fp32 and bf16 autocast (CPU).
2. BestUp-3 (loss) step vs a uniform sandwich training the same archs: the
   published scoring (k no-grad candidate forwards, then the winner with
   grad) and ``reuse_scoring_forward`` (k grad-mode forwards, the winner's
   reused; the default), interleaved step by step.
3. Estimator archs/s, sampler archs/s with the FLOPs table, 20-generation
   predictor search time.

The sandwich step here mirrors ``AttentiveNAS.train_step`` (which needs
mmengine) op for op, so it runs on a machine without OpenMMLab.
"""
from __future__ import annotations

import argparse
import dataclasses
import platform
import random
import statistics
import subprocess
import time
from contextlib import nullcontext

import torch
import torch.nn.functional as F

from nas_backbones.arch import default_attentive_space
from nas_backbones.estimators import count_flops
from nas_backbones.samplers import (AttentiveSampler, EvolutionSearch, FlopsPriorSampler,
                                    FlopsTable, ForestPredictor, UniformSampler)
from nas_backbones.supernets import AttentiveSupernet


def soft_ce(logits, target):
    return -(F.softmax(target, 1) * F.log_softmax(logits, 1)).sum(1).mean()


class Sandwich:
    """Torch-only replica of AttentiveNAS.train_step, on the device of its
    inputs (``benchmarks/gpu_suite.py`` runs it on CUDA)."""

    def __init__(self, net, sampler, amp=False, reuse_winner=False):
        self.net, self.sampler, self.amp, self.reuse = net, sampler, amp, reuse_winner
        self.opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
        sp = net.space
        self.max_arch, self.min_arch = sp.max_arch(), sp.min_arch()

    def ctx(self, device_type):
        return torch.autocast(device_type, dtype=torch.bfloat16) if self.amp else nullcontext()

    def logits(self, cache, arch, regularize=False):
        self.net.set_arch(arch, regularize=regularize)
        if arch.resolution not in cache:
            cache[arch.resolution] = self.net.resize(cache['raw'], arch.resolution)
        return self.net(cache[arch.resolution])

    def pick(self, cache, labels, fixed=None):
        cands = [fixed] if fixed is not None else self.sampler.candidates()
        if len(cands) == 1:
            return cands[0], self.logits(cache, cands[0])
        outs, losses = [], []
        for a in cands:
            with torch.set_grad_enabled(self.reuse):
                out = self.logits(cache, a)
            outs.append(out)
            losses.append(F.cross_entropy(out.detach().float(), labels, label_smoothing=0.1))
        # One host read per slot, as the algorithm does (a GPU sync).
        best = self.sampler.select(torch.stack(losses).tolist())
        return cands[best], (outs[best] if self.reuse else self.logits(cache, cands[best]))

    def step(self, x, labels, middle=(None, None)):
        cache, dev = {'raw': x}, x.device.type
        with self.ctx(dev):
            out = self.logits(cache, self.max_arch, regularize=True)
            loss = F.cross_entropy(out, labels, label_smoothing=0.1)
        loss.backward()
        teacher = out.detach()
        trained = []
        for fixed in middle:
            with self.ctx(dev):
                arch, logits = self.pick(cache, labels, fixed)
                loss = soft_ce(logits, teacher)
            loss.backward()
            trained.append(arch)
        with self.ctx(dev):
            loss = soft_ce(self.logits(cache, self.min_arch), teacher)
        loss.backward()
        torch.nn.utils.clip_grad_value_(self.net.parameters(), 1.0)
        self.opt.step()
        self.opt.zero_grad()
        return trained


class Clock:
    """Wall time and this process's CPU time (robust to other processes on a
    shared machine: with 1 thread, CPU time is the compute the step needed)."""

    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def static_step_fn(model, x, labels, amp):
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)

    def step():
        with torch.autocast(x.device.type, dtype=torch.bfloat16) if amp else nullcontext():
            loss = F.cross_entropy(model(x), labels, label_smoothing=0.1)
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
    return step


def bench_sandwich(space, batch, reps, amp, channels_last=False):
    torch.manual_seed(0)
    net = AttentiveSupernet(space, num_classes=1000, channels_last=channels_last).train()
    rng = random.Random(0)
    middle = (space.sample(rng), space.sample(rng))
    x = torch.randn(batch, 3, max(space.resolutions), max(space.resolutions))
    labels = torch.randint(0, 1000, (batch,))
    sand = Sandwich(net, None, amp)
    statics = []
    for arch in (space.max_arch(), *middle, space.min_arch()):
        # The static nets get their inputs already at their resolution.
        xs = net.resize(x, arch.resolution).contiguous(memory_format=net.memory_format)
        statics.append(static_step_fn(net.to_static(arch).train(), xs, labels, amp))
    sand_times, static_times = [], []
    for r in range(reps + 1):  # interleaved, so machine load hits both alike; r=0 warms up
        with Clock() as c:
            sand.step(x, labels, middle)
        t_sand, t_static = (c.wall, c.cpu), [0.0, 0.0]
        for step in statics:
            with Clock() as c:
                step()
            t_static[0] += c.wall
            t_static[1] += c.cpu
        if r:
            sand_times.append(t_sand)
            static_times.append(t_static)
    med = lambda rows, i: statistics.median(t[i] for t in rows)  # noqa: E731
    return ((med(sand_times, 0), med(sand_times, 1)), (med(static_times, 0), med(static_times, 1)))


def bench_bestup(space, batch, steps, table, channels_last=False):
    torch.manual_seed(0)
    net = AttentiveSupernet(space, num_classes=1000, channels_last=channels_last).train()
    x = torch.randn(batch, 3, max(space.resolutions), max(space.resolutions))
    labels = torch.randint(0, 1000, (batch,))
    # The uniform sandwich replays the archs each BestUp step trained, so the
    # ratio is the scoring overhead alone (not the luck of the random archs).
    uniform = Sandwich(net, UniformSampler(space, random.Random(1)))
    variants = {
        'bestup3': Sandwich(net, AttentiveSampler(space, random.Random(1), table=table)),
        'bestup3_reuse': Sandwich(net, AttentiveSampler(space, random.Random(1), table=table),
                                  reuse_winner=True),
    }
    times = {k: [] for k in variants}
    for v in variants.values():
        uniform.step(x, labels, v.step(x, labels))  # warm-up
    for _ in range(steps):  # interleaved: machine load affects all alike
        for k, v in variants.items():
            with Clock() as c:
                trained = v.step(x, labels)
            with Clock() as u:
                uniform.step(x, labels, trained)
            times[k].append((c.wall, c.cpu, u.wall, u.cpu))
    out = {k: tuple(sum(t[i] for t in v) / len(v) for i in range(4)) for k, v in times.items()}
    return out


def rate(fn, n):
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - t)


def machine():
    try:
        model = [ln.split(':', 1)[1].strip() for ln in subprocess.run(
            ['lscpu'], capture_output=True, text=True).stdout.splitlines()
            if ln.startswith('Model name')][0]
    except Exception:  # lscpu missing: still report something
        model = platform.processor() or 'unknown CPU'
    return f'{model}, {torch.get_num_threads()} threads, torch {torch.__version__}'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--res', type=int, nargs='+', default=[64, 96],
                   help='resolutions of the benchmarked space (published widths/depths)')
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--bestup-steps', type=int, default=4)
    p.add_argument('--threads', type=int, default=0,
                   help='torch intra-op threads (0: torch default). On a loaded machine 1 '
                        'avoids OpenMP barrier stalls that make timings erratic')
    p.add_argument('--channels-last', action='store_true',
                   help='channels-last activations (supernet option; static inputs alike)')
    p.add_argument('--quick', action='store_true', help='tiny sizes (smoke run)')
    p.add_argument('--only', choices=['all', 'bestup'], default='all',
                   help="'bestup': only the BestUp-3 scoring comparison (2.)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.quick:
        args.batch, args.res, args.reps, args.bestup_steps = 2, [32], 1, 1
    full = default_attentive_space()
    space = dataclasses.replace(full, resolutions=tuple(args.res))
    print(f'# machine: {machine()}')
    print(f'# space: published, resolutions {args.res}; batch {args.batch}; '
          f'{"channels-last" if args.channels_last else "NCHW"}')
    rows = []

    def add(name, value):
        rows.append((name, value))
        print(f'{name}: {value}', flush=True)

    for amp in ((False, True) if args.only == 'all' else ()):
        sand, static = bench_sandwich(space, args.batch, args.reps, amp, args.channels_last)
        add(f'sandwich step vs summed static steps ({"bf16 autocast" if amp else "fp32"})',
            f'CPU {sand[1]:.2f} s / {static[1]:.2f} s = **{sand[1] / static[1]:.2f}x**; '
            f'wall {sand[0]:.2f} s / {static[0]:.2f} s = {sand[0] / static[0]:.2f}x')
    table = FlopsTable.build(space, 20000, 0)
    bu = bench_bestup(space, args.batch, args.bestup_steps, table, args.channels_last)
    b, o = bu['bestup3'], bu['bestup3_reuse']
    add('BestUp-3 (loss) step / uniform sandwich on the same archs',
        f'CPU {b[1]:.2f} s / {b[3]:.2f} s = **{b[1] / b[3]:.2f}x** (reuse_scoring_forward: '
        f'{o[1] / o[3]:.2f}x); wall {b[0] / b[2]:.2f}x ({o[0] / o[2]:.2f}x)')
    add('reuse_scoring_forward=True step / published scoring step',
        f'CPU {o[1]:.2f} s / {b[1]:.2f} s = **{o[1] / b[1]:.2f}x**; wall {o[0] / b[0]:.2f}x')
    if args.only == 'bestup':
        return rows
    rng = random.Random(0)
    archs = [full.sample(rng) for _ in range(20000)]
    it = iter(archs)
    add('estimator (count_flops)', f'{rate(lambda: count_flops(next(it)), 20000):,.0f} archs/s')
    prior = FlopsPriorSampler(full, random.Random(0), table=FlopsTable.build(full, 50000, 0))
    add('FLOPs-prior sampler (50k-arch table)', f'{rate(prior.sample, 3000):,.0f} archs/s')
    forest = ForestPredictor.load()
    acc = AttentiveSampler(full, random.Random(0), score='acc', num_candidates=50, table=prior.table,
                           predictor=forest)
    add('BestUp-50 (predictor) sampler', f'{rate(acc.sample, 100):,.0f} archs/s')
    t = time.perf_counter()
    search = EvolutionSearch(full, lambda a: forest.predict_archs(a).tolist(), random.Random(0),
                             0.0, 400.0)
    search.run(20)
    add('20-generation predictor search (512/128/0.1/128)',
        f'{time.perf_counter() - t:.1f} s, {len(search.evaluated)} archs')
    print('| benchmark | result |\n|---|---|')
    for name, value in rows:
        print(f'| {name} | {value} |')
    return rows


if __name__ == '__main__':
    main()
