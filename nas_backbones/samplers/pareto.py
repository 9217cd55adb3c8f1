"""The Pareto front of (resource, accuracy) points, torch-free: one
definition for the search's ``pareto.json``, the offline Pareto-set
sampler and the reproduction harness's fronts."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def pareto_front(costs: Sequence[float], scores: Sequence[float]) -> list[int]:
    """Indices of the points that no other point beats with a lower-or-equal
    cost, sorted by cost: a point is kept when its score is higher than the
    score of every cheaper point (equal costs: the higher score first, then
    input order, so of exact duplicates the first is kept)."""
    costs, scores = np.asarray(costs), np.asarray(scores)
    if costs.shape != scores.shape or costs.ndim != 1:
        raise ValueError(f'costs/scores: expected two 1-d sequences of one length, got shapes '
                         f'{costs.shape} and {scores.shape}')
    # Stable: costs ascending, then scores descending, then input order.
    order = np.lexsort((-scores, costs)).tolist()
    values = scores.tolist()
    keep, top = [], -np.inf
    for i in order:
        if values[i] > top:
            keep.append(i)
            top = values[i]
    return keep
