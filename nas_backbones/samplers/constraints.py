"""Resource constraints of the evolutionary search, torch-free: any
combination of bounds on FLOPs, params and predicted latency (from a
measured latency table), and the resource the Pareto front is drawn over.

Every resource grows with every gene's choice index (wider, deeper, larger
kernel / expansion / resolution), which is what lets the search walk an arch
towards the bounds one gene step at a time (``direction``).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional, Sequence, Union

from ..arch import AttentiveSpace
from ..estimators.flops import count_cost
from ..estimators.latency import LatencyEstimator

RESOURCES = ('mflops', 'mparams', 'latency_ms')
UNITS = {'mflops': 'MFLOPs', 'mparams': 'M params', 'latency_ms': 'ms'}
Bounds = tuple[float, float]


class ResourceConstraints:
    """Bounds ``(low, high)`` on any of ``mflops``, ``mparams`` (AttentiveNAS
    convention, 1000 classes, as published) and ``latency_ms`` (predicted by
    ``latency``, a ``LatencyEstimator`` or a table file).

    Args:
        space (AttentiveSpace): The search space.
        mflops, mparams, latency_ms (tuple, optional): Bounds; None = none.
        latency (str | LatencyEstimator, optional): Needed for a latency
            bound or a latency Pareto axis; its table must cover ``space``.
        axis (str, optional): Resource of the Pareto front; defaults to
            ``latency_ms`` with a latency bound, else ``mflops``.
    """

    def __init__(self, space: AttentiveSpace, mflops: Optional[Sequence[float]] = None,
                 mparams: Optional[Sequence[float]] = None,
                 latency_ms: Optional[Sequence[float]] = None,
                 latency: Union[str, Path, LatencyEstimator, None] = None,
                 axis: Optional[str] = None):
        self.space = space
        self.bounds: dict[str, Bounds] = {}
        for name, b in (('mflops', mflops), ('mparams', mparams), ('latency_ms', latency_ms)):
            if b is None:
                continue
            lo, hi = (float(v) for v in b)
            if not lo <= hi:
                raise ValueError(f'{name}: bounds [{lo}, {hi}] are empty (min > max)')
            if lo > 0 or hi < math.inf:
                self.bounds[name] = (lo, hi)
        self.latency = None
        if latency is not None:
            self.latency = (latency if isinstance(latency, LatencyEstimator)
                            else LatencyEstimator.load(latency))
            table = self.latency.table
            if table.space != 'attentivenas' or table.attentive_space() != space:
                raise ValueError(f'latency_lut: {table.where} was measured for another search '
                                 f'space; rebuild it with tools/analysis/build_latency_lut.py '
                                 f'--space attentivenas for this space (resolutions '
                                 f'{list(space.resolutions)})')
            if table.settings.get('num_classes') != 1000:
                raise ValueError(f'latency_lut: {table.where} has a {table.settings["num_classes"]}'
                                 f'-class classifier; the search counts subnets with 1000 classes '
                                 f'(as FLOPs): rebuild it with --num-classes 1000')
        if 'latency_ms' in self.bounds and self.latency is None:
            raise ValueError('latency_lut: a latency bound needs a latency table')
        self.axis = axis or ('latency_ms' if 'latency_ms' in self.bounds else 'mflops')
        if self.axis not in RESOURCES:
            raise ValueError(f'pareto_axis: {self.axis!r} not in {RESOURCES}')
        if self.axis == 'latency_ms' and self.latency is None:
            raise ValueError('pareto_axis: latency_ms needs latency_lut')
        self._cache: dict[tuple[int, ...], dict[str, float]] = {}
        self.check_reachable()

    @property
    def names(self) -> tuple[str, ...]:
        """The resources reported: FLOPs and params, and latency with a table."""
        return RESOURCES if self.latency is not None else RESOURCES[:2]

    def values(self, genes: Sequence[int]) -> dict[str, float]:
        """``{'mflops', 'mparams'[, 'latency_ms']}`` of an encoding (cached)."""
        key = tuple(genes)
        out = self._cache.get(key)
        if out is None:
            arch = self.space.decode(key)
            cost = count_cost(arch, space=self.space, keep_layers=False)
            out = {'mflops': cost.flops / 1e6, 'mparams': cost.params / 1e6}
            if self.latency is not None:
                out['latency_ms'] = self.latency.predict(arch)
            self._cache[key] = out
        return out

    def satisfied(self, genes: Sequence[int]) -> bool:
        v = self.values(genes)
        return all(lo <= v[n] <= hi for n, (lo, hi) in self.bounds.items())

    def direction(self, genes: Sequence[int]) -> int:
        """-1: shrink a gene (an upper bound is exceeded), +1: grow one (a
        lower bound is not met), 0: every bound holds."""
        v = self.values(genes)
        if any(v[n] > hi for n, (_, hi) in self.bounds.items()):
            return -1
        if any(v[n] < lo for n, (lo, _) in self.bounds.items()):
            return 1
        return 0

    def check_reachable(self) -> None:
        """Raise ValueError when a bound is outside what the space reaches."""
        lo_v = self.values(self.space.min_arch().encode())
        hi_v = self.values(self.space.max_arch().encode())
        self.space_range = {n: (lo_v[n], hi_v[n]) for n in lo_v}
        for n, (lo, hi) in self.bounds.items():
            if hi < lo_v[n] or lo > hi_v[n]:
                raise ValueError(f'{n} budget [{lo:g}, {hi:g}] {UNITS[n]} is outside what the '
                                 f'search space can reach: min {lo_v[n]:.2f} / max '
                                 f'{hi_v[n]:.2f} {UNITS[n]}')

    def active_bounds(self) -> dict[str, Bounds]:
        """The bounds that cut the space (``max_mflops=1e9`` does not)."""
        return {n: (lo, hi) for n, (lo, hi) in self.bounds.items()
                if lo > self.space_range[n][0] or hi < self.space_range[n][1]}

    def describe(self) -> str:
        active = self.active_bounds()
        if not active:
            return 'no resource bound that cuts the space'
        return ', '.join(f'{n} in [{lo:g}, {hi:g}] {UNITS[n]}' for n, (lo, hi) in active.items())
