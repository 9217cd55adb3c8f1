"""Latency timing of a module on one backend (torch only; onnxruntime is
imported when used). Shared by the latency-table builder, its validation
and ``tools/analysis/benchmark_latency.py``, so all of them time alike:
``warmup`` untimed calls, then ``repeats`` calls timed one by one, median.

Backends: ``torch`` (eager, ``inference_mode``), ``torch_compile``
(``torch.compile``, default inductor) and ``onnxruntime`` (the module
exported to ONNX, all graph optimisations). Clock ``wall`` is elapsed time;
``cpu`` is the calling thread's CPU time, which equals it on an idle core
with one thread and is robust to other processes preempting it (only with
``threads=1``: other threads' work would be missed).
"""
from __future__ import annotations

import contextlib
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable, Optional

import torch
import torch.nn as nn

BACKENDS = ('torch', 'torch_compile', 'onnxruntime')
CLOCKS = ('wall', 'cpu')
DEVICES = ('cpu', 'cuda')


@dataclass
class TimingConfig:
    """How to time: device, backend, batch, threads (None: the library
    default), channels-last memory format (torch backends), warm-up and
    timed calls, clock."""
    device: str = 'cpu'
    backend: str = 'torch'
    batch: int = 1
    threads: Optional[int] = None
    channels_last: bool = False
    warmup: int = 10
    repeats: int = 50
    clock: str = 'wall'

    def __post_init__(self):
        if self.device not in DEVICES:
            raise ValueError(f'device: {self.device!r} not in {DEVICES}')
        if self.backend not in BACKENDS:
            raise ValueError(f'backend: {self.backend!r} not in {BACKENDS}')
        if self.clock not in CLOCKS:
            raise ValueError(f'clock: {self.clock!r} not in {CLOCKS}')
        if self.clock == 'cpu' and (self.threads != 1 or self.device != 'cpu'):
            raise ValueError('clock: cpu time needs device cpu and threads 1 (it counts the '
                             'calling thread only)')
        for name in ('batch', 'repeats'):
            if getattr(self, name) < 1:
                raise ValueError(f'{name}: must be >= 1, got {getattr(self, name)}')
        if self.warmup < 0:
            raise ValueError(f'warmup: must be >= 0, got {self.warmup}')
        if self.threads is not None and self.threads < 1:
            raise ValueError(f'threads: must be >= 1, got {self.threads}')
        if self.device == 'cuda' and not torch.cuda.is_available():
            raise RuntimeError('device cuda: torch sees no CUDA device')

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_settings(cls, settings: dict) -> 'TimingConfig':
        """The config of a latency table's ``settings`` (other keys ignored:
        they describe the table, not the timing)."""
        return cls(**{f: settings[f] for f in cls.__dataclass_fields__})


@contextlib.contextmanager
def timing_context(cfg: TimingConfig):
    """Threads set, denormals flushed (random weights must not hit the slow
    denormal path that trained nets do not take); restored on exit."""
    threads = torch.get_num_threads()
    if cfg.threads is not None:
        torch.set_num_threads(cfg.threads)
    flush = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        if flush:
            torch.set_flush_denormal(False)


def make_runner(module: nn.Module, input_shape: tuple, cfg: TimingConfig) -> Callable[[], object]:
    """A no-argument callable running ``module`` once on a fixed random input
    of ``(cfg.batch, *input_shape)`` with ``cfg``'s backend (synchronised)."""
    module = module.eval()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn((cfg.batch, *input_shape), generator=gen)
    if cfg.backend == 'onnxruntime':
        from .onnx_export import export_onnx, ort_session
        session = ort_session(export_onnx(module, x), cfg.device, cfg.threads)
        feed = {'input': x.numpy()}
        return lambda: session.run(None, feed)
    device = torch.device(cfg.device)
    module, x = module.to(device), x.to(device)
    if cfg.channels_last and x.dim() == 4:
        module, x = module.to(memory_format=torch.channels_last), \
            x.contiguous(memory_format=torch.channels_last)
    fn = torch.compile(module) if cfg.backend == 'torch_compile' else module
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)

    def run():
        with torch.inference_mode():
            out = fn(x)
        sync()
        return out
    return run


def time_runner(run: Callable[[], object], cfg: TimingConfig) -> list[float]:
    """``cfg.warmup`` untimed calls, then ``cfg.repeats`` timings (ms)."""
    clock = time.perf_counter_ns if cfg.clock == 'wall' else time.thread_time_ns
    for _ in range(cfg.warmup):
        run()
    times = []
    for _ in range(cfg.repeats):
        t0 = clock()
        run()
        times.append((clock() - t0) / 1e6)
    return times


def measure_ms(module: nn.Module, input_shape: tuple, cfg: TimingConfig) -> float:
    """Median latency (ms) of ``module`` on ``(cfg.batch, *input_shape)``."""
    with timing_context(cfg):
        return statistics.median(time_runner(make_runner(module, input_shape, cfg), cfg))


def cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(device: str = 'cpu') -> dict:
    """Machine and library versions, for the record of a measurement."""
    import numpy
    env = {'cpu': cpu_model(), 'cpu_count': os.cpu_count(), 'platform': platform.platform(),
           'python': sys.version.split()[0], 'torch': torch.__version__,
           'numpy': numpy.__version__, 'torch_default_threads': torch.get_num_threads()}
    try:
        import onnxruntime
        env['onnxruntime'] = onnxruntime.__version__
    except ImportError:
        env['onnxruntime'] = None
    try:
        import onnx
        env['onnx'] = onnx.__version__
    except ImportError:
        env['onnx'] = None
    try:
        import nas_backbones
        env['nas_backbones'] = nas_backbones.__version__
    except ImportError:
        pass
    if device == 'cuda' and torch.cuda.is_available():
        env['cuda_device'] = torch.cuda.get_device_name()
        env['cuda'] = torch.version.cuda
    return env
