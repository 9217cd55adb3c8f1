"""The FLOPs table of the FLOPs-aware prior, torch-free
(docs/methods/attentivenas.md#flops-prior).

The original AttentiveNAS reads a pool file that its repository does not
contain (its README links a download); this builds one: FLOPs of many
uniformly random archs, rounded to buckets (25 MFLOPs by default), and
per-gene choice counts in each bucket, from which p(choice_i | bucket) is
read. Saved as npz (``allow_pickle=False``) or JSON; the space is stored
too, so a table cannot be used with another space.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Callable, Optional, Union

import numpy as np

from ..arch import AttentiveSpace, default_attentive_space
from ..arch.common import existing_file
from ..estimators.flops import count_flops


def bucket_of(flops: float, bucket_mflops: float) -> int:
    """Bucket id: FLOPs rounded to the nearest multiple of the bucket width
    (id x width = the bucket's centre). The one rounding of the FLOPs table,
    the prior's acceptance test and the search's bucket parents; the latency
    prior passes ns and a width in ms."""
    return int(round(flops / (bucket_mflops * 1e6)))


class FlopsTable:
    """Pool of uniformly random archs with their FLOPs, and counts per bucket.

    Args:
        space (AttentiveSpace): The space the pool was drawn from.
        genes (np.ndarray): (n, 31) encodings of the pool.
        flops (np.ndarray): (n,) FLOPs (MACs) of each.
        bucket_mflops (float): Bucket width in MFLOPs. Defaults to 25.
    """

    def __init__(self, space: AttentiveSpace, genes: np.ndarray, flops: np.ndarray,
                 bucket_mflops: float = 25.0):
        if bucket_mflops <= 0:
            raise ValueError(f'bucket_mflops: must be positive, got {bucket_mflops}')
        self.space, self.bucket_mflops = space, float(bucket_mflops)
        self.genes = np.asarray(genes, dtype=np.int64)
        self.flops = np.asarray(flops, dtype=np.int64)
        if self.genes.ndim != 2 or self.genes.shape[1] != 31 or len(self.genes) != len(self.flops):
            raise ValueError(f'genes/flops: expected (n, 31) and (n,), got {self.genes.shape} '
                             f'and {self.flops.shape}')
        self.choices = space.gene_choices()
        self.buckets = np.array([bucket_of(f, self.bucket_mflops) for f in self.flops.tolist()],
                                dtype=np.int64)
        ids, counts = np.unique(self.buckets, return_counts=True)
        self.bucket_ids, self.bucket_counts = ids.tolist(), counts.tolist()
        # counts[b][g][c]: how often gene g takes its c-th choice in bucket b.
        self.counts = {}
        for b in self.bucket_ids:
            rows = self.genes[self.buckets == b]
            self.counts[b] = [[int((rows[:, g] == c).sum()) for c in ch]
                              for g, ch in enumerate(self.choices)]

    @classmethod
    def build(cls, space: Optional[AttentiveSpace] = None, num_samples: int = 50000,
              seed: int = 0, bucket_mflops: float = 25.0,
              cost_fn: Optional[Callable] = None) -> 'FlopsTable':
        """Draw ``num_samples`` uniformly random archs and count their FLOPs.

        ``cost_fn`` (arch -> int) replaces FLOPs by another additive resource
        in units of 1e-6 bucket widths: the latency prior passes predicted
        latency in ns with ``bucket_mflops`` the bucket width in ms."""
        space = space or default_attentive_space()
        if num_samples < 1:
            raise ValueError(f'num_samples: must be >= 1, got {num_samples}')
        rng = random.Random(seed)
        choices = space.gene_choices()
        genes = np.array([[rng.choice(c) for c in choices] for _ in range(num_samples)],
                         dtype=np.int64)
        cost_fn = cost_fn or (lambda arch: count_flops(arch, space=space))
        flops = np.array([cost_fn(space.decode(g.tolist())) for g in genes], dtype=np.int64)
        return cls(space, genes, flops, bucket_mflops)

    # ----------------------------------------------------------------- I/O
    def save(self, path: Union[str, Path]) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        space_json = json.dumps(self.space.to_dict())
        if path.suffix == '.json':
            path.write_text(json.dumps({'space': self.space.to_dict(),
                                        'bucket_mflops': self.bucket_mflops,
                                        'genes': self.genes.tolist(),
                                        'flops': self.flops.tolist()}))
        else:
            np.savez_compressed(path, genes=self.genes, flops=self.flops,
                                bucket_mflops=np.float64(self.bucket_mflops),
                                space_json=np.array(space_json))
        return path

    @classmethod
    def load(cls, path: Union[str, Path]) -> 'FlopsTable':
        path = existing_file(path, 'FLOPs table',
                             f'python tools/analysis/build_flops_table.py --out {path}')
        if path.suffix == '.json':
            data = json.loads(path.read_text())
            return cls(AttentiveSpace.from_dict(data['space']), np.array(data['genes']),
                       np.array(data['flops']), data['bucket_mflops'])
        with np.load(path, allow_pickle=False) as d:
            space = AttentiveSpace.from_dict(json.loads(str(d['space_json'])))
            return cls(space, d['genes'], d['flops'], float(d['bucket_mflops']))
