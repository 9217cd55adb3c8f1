"""Training-step time of the AtomNAS supernet vs torchvision's MobileNetV2.

    python benchmarks/bench_atomnas_step.py [--device cpu|cuda] [--batch 8 32]
        [--formats channels_last contiguous] [--steps 10] [--threads N]
    python benchmarks/bench_atomnas_step.py --before OLD_atomic_block.py
        [--static atomnas_a atomnas_c_plus] [--batch 8] ...

One training step = forward, label-smoothed CE, backward, SGD step, at 224x224,
fp32 and AMP (bf16 autocast; on CUDA fp16 is not needed for the comparison).
Rows: the full stem-32 supernet (1521 MFLOPs), the supernet shrunk in place to
the size of AtomNAS-B (326 MFLOPs) and of AtomNAS-A (stem 16, 258 MFLOPs) --
step time as the net shrinks during a search -- and MobileNetV2 (301 MFLOPs).
Both models run in the same memory format; the ratio column divides by
MobileNetV2 at the same batch, precision and format. Models are timed in
interleaved rounds (one step of each per round) so that load from other
processes spreads over all rows; median and min wall time over rounds and the
median process CPU time are reported (with one thread, CPU time is the
estimate least disturbed by other processes on a shared machine).

``--before FILE`` compares a change of the block against an older
``ops/atomic_block.py`` (e.g. ``git show dd30e84:nas_backbones/ops/atomic_block.py
> /tmp/atomic_block_before.py``): every AtomNAS net is also built with that
file's block (same weights), and both versions are timed in the same
interleaved rounds -- the supernet's training step, and for each ``--static``
arch the deployed static net's training step and eval forward.

Imports torch/torchvision and nas_backbones' torch-only layers (arch,
estimators, ops, supernets), so it runs on a GPU machine without OpenMMLab.
Prints a markdown table.
"""
from __future__ import annotations

import argparse
import copy
import importlib.util
import platform
import statistics
import subprocess
import time
from contextlib import nullcontext

import torch
import torch.nn.functional as F
import torchvision

from nas_backbones.arch import load_arch
from nas_backbones.estimators.hook_count import hook_count
from nas_backbones.ops import AtomicBlock, build_static_classifier
from nas_backbones.supernets import AtomNASSupernet


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--batch', type=int, nargs='+', default=[8, 32])
    p.add_argument('--formats', nargs='+', default=['channels_last', 'contiguous'],
                   choices=['channels_last', 'contiguous'])
    p.add_argument('--precisions', nargs='+', default=['fp32', 'amp'], choices=['fp32', 'amp'])
    p.add_argument('--steps', type=int, default=10, help='timed rounds')
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--threads', type=int, help='torch CPU threads (default: torch default)')
    p.add_argument('--no-shrunk', action='store_true', help='skip the shrunk-supernet rows')
    p.add_argument('--before', metavar='FILE',
                   help='an older ops/atomic_block.py: time before vs after, interleaved')
    p.add_argument('--static', nargs='*', default=['atomnas_a', 'atomnas_c_plus'],
                   help='deployed static nets of the --before comparison (zoo names)')
    return p.parse_args(argv)


def build_models(shrunk: bool) -> dict:
    """name -> (model, MFLOPs at 224, AtomNAS convention)."""
    models = {}
    net = AtomNASSupernet(stem_channels=32)
    models['AtomNAS supernet (stem 32)'] = (net, net.cost().mflops)
    if shrunk:
        for name, stem in (('atomnas_b', 32), ('atomnas_a', 16)):
            net = AtomNASSupernet(stem_channels=stem)
            net.shrink_to_arch(load_arch(name))  # in place, as a search shrinks it
            models[f'supernet shrunk to {name[-1].upper()}'] = (net, net.cost().mflops)
    mbv2 = torchvision.models.mobilenet_v2()
    # Same convention as ours: convs + linear + pools (torchvision's pool is a
    # functional call, 1280*7*7 MACs, added by hand).
    mflops = hook_count(mbv2, 224, 'atomnas').flops / 1e6 + 1280 * 49 / 1e6
    models['torchvision MobileNetV2'] = (mbv2, mflops)
    return models


class Step:
    """One model's training step (or, ``train=False``, no-grad eval forward)
    at a batch / precision / memory format."""

    def __init__(self, model, batch, device, precision, fmt, train=True, resolution=224):
        fmt = torch.channels_last if fmt == 'channels_last' else torch.contiguous_format
        self.train = train
        self.model = model.to(device=device, memory_format=fmt).train(train)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=1e-3, momentum=0.9)
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(batch, 3, resolution, resolution, generator=g).to(
            device, memory_format=fmt)
        self.y = torch.randint(0, 1000, (batch,), generator=g).to(device)
        self.device = device
        self.amp = (torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16)
                    if precision == 'amp' else nullcontext())

    def __call__(self) -> tuple[float, float]:
        """(wall seconds, process CPU seconds) of one step."""
        sync = torch.cuda.synchronize if self.device.startswith('cuda') else (lambda: None)
        sync()
        t, c = time.perf_counter(), time.process_time()
        if not self.train:
            with self.amp, torch.no_grad():
                self.model(self.x)
            sync()
            return time.perf_counter() - t, time.process_time() - c
        with self.amp:
            loss = F.cross_entropy(self.model(self.x), self.y, label_smoothing=0.1)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        sync()
        return time.perf_counter() - t, time.process_time() - c


def device_name(device: str) -> str:
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(device)
    try:
        out = subprocess.run(['lscpu'], capture_output=True, text=True).stdout
        model = next(line.split(':', 1)[1].strip() for line in out.splitlines()
                     if line.startswith('Model name'))
    except (OSError, StopIteration):
        model = platform.processor() or 'CPU'
    return f'{model}, {torch.get_num_threads()} threads'


def load_block_class(path: str) -> type:
    """The ``AtomicBlock`` of an older ``ops/atomic_block.py``, imported as a
    sibling of today's ``nas_backbones.ops`` modules (its relative imports
    resolve there)."""
    spec = importlib.util.spec_from_file_location('nas_backbones.ops._atomic_block_before', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.AtomicBlock


def with_block_class(net: torch.nn.Module, cls: type) -> torch.nn.Module:
    """A copy of ``net`` whose atomic blocks are ``cls`` instances with the
    same weights (built with the BN arguments both versions take)."""
    net = copy.deepcopy(net)
    blocks = net.backbone.blocks
    for i, b in enumerate(blocks):
        if not isinstance(b, AtomicBlock):
            continue
        bn = b.project.bn if not b.is_identity else None
        old = cls(b.in_channels, b.out_channels, b.stride, b.kernel_sizes or [3], b.atoms or [0],
                  b.has_expansion, b.act_name, b.se_ratio,
                  bn_momentum=bn.momentum if bn is not None else 0.01,
                  bn_eps=bn.eps if bn is not None else 1e-3)
        old.load_state_dict(b.state_dict())
        blocks[i] = old
    return net


def compare_before(args, before_cls: type) -> None:
    """Before vs after rows: supernet training step; static nets' training
    step and eval forward. Both versions are built the same way (a copy of
    the net with its blocks rebuilt from their weights) and run in
    alternating order (after/before, then before/after) so that neither
    always runs on the other's warm cache."""
    nets = {'AtomNAS supernet (stem 32)': (AtomNASSupernet(stem_channels=32), ('train',))}
    for name in args.static:
        torch.manual_seed(0)
        nets[f'static {name}'] = (build_static_classifier(load_arch(name)), ('train', 'eval'))
    print('| model | mode | batch | precision | memory format | after ms (median / min) '
          '| before ms (median / min) | after / before (median / min / CPU) |')
    print('|---|---|---|---|---|---|---|---|')
    for batch in args.batch:
        for precision in args.precisions:
            for fmt in args.formats:
                for name, (net, modes) in nets.items():
                    after_cls = type(net.backbone.blocks[1])
                    for mode in modes:
                        steps = {v: Step(with_block_class(net, cls), batch, args.device, precision,
                                         fmt, mode == 'train')
                                 for v, cls in (('after', after_cls), ('before', before_cls))}
                        wall = {v: [] for v in steps}
                        cpu = {v: [] for v in steps}
                        for r in range(args.warmup + args.steps):
                            for v in (('after', 'before') if r % 2 else ('before', 'after')):
                                dt, dc = steps[v]()
                                if r >= args.warmup:
                                    wall[v].append(dt)
                                    cpu[v].append(dc)
                        med = {v: statistics.median(t) for v, t in wall.items()}
                        low = {v: min(t) for v, t in wall.items()}
                        cmed = {v: statistics.median(t) for v, t in cpu.items()}
                        print(f'| {name} | {mode} | {batch} | {precision} | {fmt} | '
                              f'{med["after"] * 1e3:.0f} / {low["after"] * 1e3:.0f} | '
                              f'{med["before"] * 1e3:.0f} / {low["before"] * 1e3:.0f} | '
                              f'{med["after"] / med["before"]:.3f}x / '
                              f'{low["after"] / low["before"]:.3f}x / '
                              f'{cmed["after"] / cmed["before"]:.3f}x |', flush=True)
                        del steps


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = True
    if args.before:
        print(f'device: {device_name(args.device)}; torch {torch.__version__}; '
              f'before = {args.before}\n')
        compare_before(args, load_block_class(args.before))
        return
    models = build_models(not args.no_shrunk)
    ref = 'torchvision MobileNetV2'
    print(f'device: {device_name(args.device)}; torch {torch.__version__}, '
          f'torchvision {torchvision.__version__}\n')
    print('| model | MFLOPs | batch | precision | memory format | step ms (median) | step ms (min) '
          '| CPU ms (median) | img/s | ratio vs MobileNetV2 (median / min / CPU) |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for batch in args.batch:
        for precision in args.precisions:
            for fmt in args.formats:
                steps = {name: Step(m, batch, args.device, precision, fmt)
                         for name, (m, _) in models.items()}
                times = {name: [] for name in steps}
                cpu = {name: [] for name in steps}
                for r in range(args.warmup + args.steps):
                    for name, step in steps.items():
                        dt, dc = step()
                        if r >= args.warmup:
                            times[name].append(dt)
                            cpu[name].append(dc)
                med = {name: statistics.median(t) for name, t in times.items()}
                low = {name: min(t) for name, t in times.items()}
                cpu = {name: statistics.median(t) for name, t in cpu.items()}
                for name, t in med.items():
                    print(f'| {name} | {models[name][1]:.2f} | {batch} | {precision} | {fmt} | '
                          f'{t * 1e3:.0f} | {low[name] * 1e3:.0f} | {cpu[name] * 1e3:.0f} | '
                          f'{batch / t:.1f} | {t / med[ref]:.2f}x / {low[name] / low[ref]:.2f}x / '
                          f'{cpu[name] / cpu[ref]:.2f}x |', flush=True)
                del steps
    sup = models['AtomNAS supernet (stem 32)'][1] / models[ref][1]
    print(f'\nFLOPs ratio supernet / MobileNetV2: {sup:.2f}x')


if __name__ == '__main__':
    main()
