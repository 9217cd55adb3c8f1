"""FLOPs-aware prior sampler (docs/methods/attentivenas.md#flops-prior), torch-free.

Draw a target FLOPs bucket from the space's empirical FLOPs distribution
(or uniformly over the non-empty buckets), then an arch gene by gene from
p(choice | bucket) (genes independent given the bucket), re-drawn until it
lands in the bucket; after ``max_tries`` the last draw is accepted.
``resource='latency'`` does the same with buckets over the latency
predicted from a measured table (``estimators.latency``).
"""
from __future__ import annotations

import bisect
import itertools
import random
from pathlib import Path
from typing import Optional, Union

from ..arch import AttentiveArch, AttentiveSpace
from ..estimators.flops import count_flops
from .base import ArchSampler
from .flops_table import FlopsTable, bucket_of

PRIORS = ('empirical', 'uniform')
RESOURCES = ('flops', 'latency')


class FlopsPriorSampler(ArchSampler):
    """Archs whose FLOPs follow the prior of the space.

    Args:
        space (AttentiveSpace, optional): Defaults to the published space.
        rng (random.Random, optional): The generator.
        seed (int): Seed when ``rng`` is not given. Defaults to 0.
        table (str | FlopsTable, optional): A table file built by
            ``tools/analysis/build_flops_table.py`` (or a table). Default:
            build one in memory from ``pool_size`` archs.
        pool_size (int): Archs in the in-memory pool. Defaults to 50000.
        pool_seed (int): Seed of the in-memory pool (independent of ``rng``,
            so every rank and every resume builds the same table). Defaults to 0.
        bucket_mflops (float): Bucket width of the in-memory pool. Defaults to 25.
        prior (str): 'empirical' (the space's FLOPs distribution, as
            published) or 'uniform' over non-empty buckets. Defaults to
            'empirical'.
        max_tries (int): Re-draws before accepting an arch outside the
            bucket. Defaults to 100.
        resource (str): 'flops' or 'latency' (buckets over the latency
            predicted from ``latency_lut``, ``bucket_ms`` wide; the table is
            built in memory from ``pool_size`` archs). Defaults to 'flops'.
        latency_lut (str, optional): Latency table of the space
            (``tools/analysis/build_latency_lut.py``), for 'latency'.
        bucket_ms (float): Latency bucket width. Defaults to 1.0.
    """

    def __init__(self, space: Optional[AttentiveSpace] = None,
                 rng: Optional[random.Random] = None, seed: int = 0,
                 table: Union[str, Path, FlopsTable, None] = None, pool_size: int = 50000,
                 pool_seed: int = 0, bucket_mflops: float = 25.0, prior: str = 'empirical',
                 max_tries: int = 100, resource: str = 'flops',
                 latency_lut: Union[str, Path, None] = None, bucket_ms: float = 1.0):
        super().__init__(space, rng, seed)
        if prior not in PRIORS:
            raise ValueError(f'prior: {prior!r} not in {PRIORS}')
        if max_tries < 1:
            raise ValueError(f'max_tries: must be >= 1, got {max_tries}')
        if resource not in RESOURCES:
            raise ValueError(f'resource: {resource!r} not in {RESOURCES}')
        self.resource = resource
        self._cost = lambda arch: count_flops(arch, space=self.space)
        if resource == 'latency':
            if latency_lut is None:
                raise ValueError("latency_lut: resource='latency' needs a latency table")
            if table is not None:
                raise ValueError("table: a FLOPs table; resource='latency' builds its table "
                                 'from latency_lut')
            if bucket_ms <= 0:
                raise ValueError(f'bucket_ms: must be positive, got {bucket_ms}')
            from .constraints import ResourceConstraints
            estimator = ResourceConstraints(self.space, latency=latency_lut).latency
            # Latency in ns: integer units of 1e-6 bucket widths, as FLOPs.
            self._cost = lambda arch: int(round(estimator.predict(arch) * 1e6))
            table = FlopsTable.build(self.space, pool_size, pool_seed, bucket_ms, self._cost)
        elif latency_lut is not None:
            raise ValueError("latency_lut: only used with resource='latency'")
        if table is None:
            table = FlopsTable.build(self.space, pool_size, pool_seed, bucket_mflops)
        elif not isinstance(table, FlopsTable):
            table = FlopsTable.load(table)
        if table.space != self.space:
            raise ValueError('table: the FLOPs table was built for another search space '
                             '(rebuild it with tools/analysis/build_flops_table.py --space ...)')
        self.table, self.prior, self.max_tries = table, prior, max_tries
        self.num_tries = self.num_misses = 0  # acceptance statistics (log only)
        self._bucket_cum = list(itertools.accumulate(table.bucket_counts))
        self._choices = [tuple(c) for c in table.choices]
        # Cumulative weights per bucket and gene: one rng.random() + bisect per gene.
        self._gene_cum = {b: [list(itertools.accumulate(c)) for c in table.counts[b]]
                          for b in table.bucket_ids}

    # -------------------------------------------------------------- draws
    def sample_bucket(self) -> int:
        """A target bucket id (FLOPs = id x bucket width)."""
        ids = self.table.bucket_ids
        if self.prior == 'uniform':
            return ids[self.rng.randrange(len(ids))]
        r = self.rng.random() * self._bucket_cum[-1]
        return ids[bisect.bisect_right(self._bucket_cum, r)]

    def _draw_genes(self, bucket: int) -> list[int]:
        rnd = self.rng.random
        out = []
        for cum, choices in zip(self._gene_cum[bucket], self._choices):
            i = bisect.bisect_right(cum, rnd() * cum[-1])
            out.append(choices[i])
        return out

    def sample_in_bucket(self, bucket: int) -> AttentiveArch:
        """An arch from p(choice | bucket), redrawn until its FLOPs fall in ``bucket``."""
        if bucket not in self._gene_cum:
            unit = 'ms' if self.resource == 'latency' else 'MFLOPs'
            raise ValueError(f'bucket: {bucket} ({bucket * self.table.bucket_mflops} {unit}) '
                             f'has no arch in the {self.resource} table')
        for _ in range(self.max_tries):
            arch = self.space.decode(self._draw_genes(bucket))
            self.num_tries += 1
            if bucket_of(self._cost(arch), self.table.bucket_mflops) == bucket:
                return arch
        self.num_misses += 1
        return arch

    def sample_archs(self, n: int, bucket: Optional[int] = None) -> list[AttentiveArch]:
        """``n`` archs of one target bucket (drawn from the prior when None)."""
        bucket = self.sample_bucket() if bucket is None else bucket
        return [self.sample_in_bucket(bucket) for _ in range(n)]

    def candidates(self) -> list[AttentiveArch]:
        return self.sample_archs(1)
