"""Attentive sampling (the AttentiveNAS contribution), torch-free
(docs/methods/attentivenas.md#attentive-sampling).

Draw ``k`` candidates for one target FLOPs bucket (FLOPs-aware prior) and
train the best (BestUp-k) or worst (WorstUp-k) of them, scored by
(a) 'loss': the minibatch loss, which the algorithm computes and passes to
``select()``, or (b) 'acc': an accuracy predictor, here. The offline '1M'
variant ('acc' with ``pareto_pool``) predicts a pool of random archs once,
keeps its best (or worst) Pareto set, and samples only from it.
"""
from __future__ import annotations

import bisect
import random
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from ..arch import AttentiveArch, AttentiveSpace
from ..estimators.flops import count_flops
from .acc_predictor import DEFAULT_FOREST, ForestPredictor
from .base import ArchSampler
from .flops_prior import FlopsPriorSampler
from .flops_table import FlopsTable
from .pareto import pareto_front

MODES = ('bestup', 'worstup')
SCORES = ('loss', 'acc')


def pareto_set(flops: np.ndarray, acc: np.ndarray, best: bool = True) -> np.ndarray:
    """Indices of the Pareto set, sorted by FLOPs: no other point has <= FLOPs
    and higher accuracy (``best``), or >= FLOPs and lower accuracy (the worst
    set: the front of the negated points)."""
    flops, acc = np.asarray(flops), np.asarray(acc)
    keep = pareto_front(flops, acc) if best else pareto_front(-flops, -acc)
    return np.array(sorted(keep, key=lambda i: flops[i]), dtype=np.int64)


class AttentiveSampler(ArchSampler):
    """BestUp-k / WorstUp-k.

    Args:
        space (AttentiveSpace, optional): Defaults to the published space.
        rng (random.Random, optional): The generator.
        seed (int): Seed when ``rng`` is not given. Defaults to 0.
        mode (str): 'bestup' or 'worstup'. Defaults to 'bestup'.
        score (str): 'loss' (minibatch loss, scored by the algorithm) or
            'acc' (accuracy predictor). Defaults to 'loss'.
        num_candidates (int): k. Defaults to 3 (the published BestUp-3).
        predictor (str, optional): Forest npz for 'acc'. Defaults to the
            authors' converted forest.
        pareto_pool (int): 'acc' only: > 0 selects the offline variant with
            a pool of that many random archs (1M in the paper). Defaults to 0.
        pareto_seed (int): Seed of that pool. Defaults to 0.
        table, pool_size, pool_seed, bucket_mflops, prior, max_tries: The
            FLOPs prior, as in ``FlopsPriorSampler``.
    """

    def __init__(self, space: Optional[AttentiveSpace] = None,
                 rng: Optional[random.Random] = None, seed: int = 0, mode: str = 'bestup',
                 score: str = 'loss', num_candidates: int = 3,
                 predictor: Union[str, Path, ForestPredictor, None] = None, pareto_pool: int = 0,
                 pareto_seed: int = 0, table: Union[str, Path, FlopsTable, None] = None,
                 pool_size: int = 50000, pool_seed: int = 0, bucket_mflops: float = 25.0,
                 prior: str = 'empirical', max_tries: int = 100):
        super().__init__(space, rng, seed)
        if mode not in MODES:
            raise ValueError(f'mode: {mode!r} not in {MODES}')
        if score not in SCORES:
            raise ValueError(f'score: {score!r} not in {SCORES}')
        if num_candidates < 1:
            raise ValueError(f'num_candidates: must be >= 1, got {num_candidates}')
        if pareto_pool and score != 'acc':
            raise ValueError("pareto_pool: the offline Pareto-set variant needs score='acc'")
        self.mode, self.score, self.k = mode, score, num_candidates
        self.prior = FlopsPriorSampler(self.space, self.rng, table=table, pool_size=pool_size,
                                       pool_seed=pool_seed, bucket_mflops=bucket_mflops,
                                       prior=prior, max_tries=max_tries)
        self.predictor = None
        if score == 'acc':
            self.predictor = (predictor if isinstance(predictor, ForestPredictor)
                              else ForestPredictor.load(predictor or DEFAULT_FOREST))
        self.pareto_pool, self.pareto_seed = pareto_pool, pareto_seed
        self._pareto: Optional[tuple[list[AttentiveArch], list[int]]] = None

    @property
    def needs_scores(self) -> bool:
        return self.score == 'loss'

    def select(self, scores: Sequence[float]) -> int:
        """Index of the candidate to train: lowest loss (BestUp) or highest
        loss (WorstUp); for accuracies the reverse."""
        scores = list(scores)
        lower_is_better = self.score == 'loss'
        best = min if (self.mode == 'bestup') == lower_is_better else max
        return scores.index(best(scores))

    def candidates(self) -> list[AttentiveArch]:
        if self.score == 'loss':
            return self.prior.sample_archs(self.k)
        if self.pareto_pool:
            return [self._sample_pareto()]
        cands = self.prior.sample_archs(self.k)
        return [cands[self.select(self.predictor.predict_archs(cands).tolist())]]

    # ---------------------------------------------------------- offline 1M
    def build_pareto(self) -> tuple[list[AttentiveArch], list[int]]:
        """Predict ``pareto_pool`` random archs once; keep the best/worst Pareto set."""
        if self._pareto is None:
            rng = np.random.default_rng(self.pareto_seed)
            choices = self.space.gene_choices()
            genes = np.stack([np.asarray(c)[rng.integers(0, len(c), self.pareto_pool)]
                              for c in choices], axis=1)
            acc = self.predictor.predict(genes)
            flops = np.array([count_flops(self.space.decode(g), space=self.space)
                              for g in genes.tolist()])
            keep = pareto_set(flops, acc, best=self.mode == 'bestup')
            self._pareto = ([self.space.decode(genes[i].tolist()) for i in keep],
                            [int(flops[i]) for i in keep])
        return self._pareto

    def _sample_pareto(self) -> AttentiveArch:
        archs, flops = self.build_pareto()
        target = self.prior.sample_bucket() * self.prior.table.bucket_mflops * 1e6
        # The Pareto arch closest in FLOPs to the target (ties: the cheaper).
        i = bisect.bisect_left(flops, target)
        if i == len(flops) or (i > 0 and target - flops[i - 1] <= flops[i] - target):
            i -= 1
        return archs[i]
