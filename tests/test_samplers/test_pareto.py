"""The one Pareto-front definition (search, offline Pareto-set sampler,
reproduction harness), on hand-checked points with ties."""
import numpy as np
import pytest

from nas_backbones.samplers.attentive import pareto_set
from nas_backbones.samplers.pareto import pareto_front


def test_front_keeps_points_better_than_every_cheaper_one():
    costs = [3, 1, 2, 2, 5, 4, 1]
    scores = [7.0, 5.0, 6.0, 6.5, 7.0, 8.0, 4.0]
    # cost 1: 5.0 (not 4.0); cost 2: 6.5 (not 6.0); cost 3: 7.0; cost 4: 8.0;
    # cost 5: 7.0 is beaten by the cheaper 8.0.
    assert pareto_front(costs, scores) == [1, 3, 0, 5]


def test_exact_duplicates_keep_the_first():
    assert pareto_front([2, 1, 1], [1.0, 3.0, 3.0]) == [1]


def test_worst_set_is_the_front_of_the_negated_points():
    flops = np.array([1, 2, 3, 4, 4])
    acc = np.array([1.0, 0.5, 2.0, 1.5, 3.0])
    assert pareto_set(flops, acc).tolist() == [0, 2, 4]
    # No point has >= FLOPs and lower accuracy: 0.5 at 2, 1.5 at 4.
    assert pareto_set(flops, acc, best=False).tolist() == [1, 3]


def test_mismatched_lengths_fail_naming_the_arguments():
    with pytest.raises(ValueError, match='costs/scores'):
        pareto_front([1, 2], [1.0])
