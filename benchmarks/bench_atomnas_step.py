"""Training-step time of the AtomNAS supernet vs torchvision's MobileNetV2.

    python benchmarks/bench_atomnas_step.py [--device cpu|cuda] [--batch 8 32]
        [--formats channels_last contiguous] [--steps 10] [--threads N]

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

Imports torch/torchvision and nas_backbones' torch-only layers (arch,
estimators, ops, supernets), so it runs on a GPU machine without OpenMMLab.
Prints a markdown table.
"""
from __future__ import annotations

import argparse
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
    """One model's training step at a batch / precision / memory format."""

    def __init__(self, model, batch, device, precision, fmt, resolution=224):
        fmt = torch.channels_last if fmt == 'channels_last' else torch.contiguous_format
        self.model = model.to(device=device, memory_format=fmt).train()
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


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = True
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
