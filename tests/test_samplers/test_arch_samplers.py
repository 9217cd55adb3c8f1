"""Samplers: FLOPs-prior samples land in the bucket, the forest loader
reproduces the authors' predictions, seeds and saved states reproduce draws."""
import random

import numpy as np
import pytest

from nas_backbones.arch import default_attentive_space, load_arch
from nas_backbones.estimators import count_flops
from nas_backbones.samplers import (AttentiveSampler, FlopsPriorSampler, FlopsTable,
                                    ForestPredictor, UniformSampler, pareto_set)

SPACE = default_attentive_space()
# The authors' predictor on A0-A6 (a proxy accuracy, not top-1;
# docs/methods/attentivenas.md#accuracy-predictor).
PUBLISHED = [67.49, 69.57, 69.62, 69.77, 70.80, 70.99, 71.62]


@pytest.fixture(scope='module')
def table():
    return FlopsTable.build(SPACE, num_samples=4000, seed=0)


def test_forest_reproduces_a0_a6():
    forest = ForestPredictor.load()
    pred = forest.predict_archs([load_arch(f'attentivenas_a{i}') for i in range(7)])
    assert np.round(pred, 2).tolist() == PUBLISHED
    assert forest.num_trees == 100 and forest.depth == 15


def test_forest_save_load_roundtrip(tmp_path):
    forest = ForestPredictor.load()
    x = np.array([SPACE.sample(random.Random(i)).encode() for i in range(50)])
    again = ForestPredictor.load(forest.save(tmp_path / 'f.npz'))
    assert np.array_equal(forest.predict(x), again.predict(x))


@pytest.mark.parametrize('prior', ['empirical', 'uniform'])
def test_flops_prior_samples_land_in_bucket(table, prior):
    sampler = FlopsPriorSampler(SPACE, random.Random(0), table=table, prior=prior)
    for _ in range(10):
        bucket = sampler.sample_bucket()
        assert bucket in table.bucket_ids
        for arch in sampler.sample_archs(3, bucket):
            assert round(count_flops(arch) / 25e6) == bucket
    assert sampler.num_misses == 0


def test_empirical_prior_follows_the_table(table):
    sampler = FlopsPriorSampler(SPACE, random.Random(0), table=table)
    draws = [sampler.sample_bucket() for _ in range(4000)]
    common = table.bucket_ids[int(np.argmax(table.bucket_counts))]
    rare = table.bucket_ids[int(np.argmin(table.bucket_counts))]
    assert draws.count(common) > 5 * max(1, draws.count(rare))


def test_table_roundtrip_npz_and_json(table, tmp_path):
    for suffix in ('.npz', '.json'):
        again = FlopsTable.load(table.save(tmp_path / f't{suffix}'))
        assert again.bucket_ids == table.bucket_ids and again.counts == table.counts
        assert again.space == SPACE


def test_table_for_another_space_is_rejected(table):
    other = SPACE.__class__(resolutions=(64,), stem_widths=SPACE.stem_widths, stages=SPACE.stages,
                            last_widths=SPACE.last_widths)
    with pytest.raises(ValueError, match='another search space'):
        FlopsPriorSampler(other, random.Random(0), table=table)


@pytest.mark.parametrize('make', [
    lambda rng, t: UniformSampler(SPACE, rng),
    lambda rng, t: FlopsPriorSampler(SPACE, rng, table=t),
    lambda rng, t: AttentiveSampler(SPACE, rng, score='loss', table=t),
    lambda rng, t: AttentiveSampler(SPACE, rng, score='acc', num_candidates=5, table=t),
], ids=['uniform', 'flops_prior', 'attentive_loss', 'attentive_acc'])
def test_same_seed_same_samples_and_state_resumes(table, make):
    a, b = make(random.Random(7), table), make(random.Random(7), table)
    first = [a.candidates() for _ in range(5)]
    assert first == [b.candidates() for _ in range(5)]
    state = a.state_dict()
    expected = [a.candidates() for _ in range(3)]
    c = make(random.Random(123), table)
    c.load_state_dict(state)
    assert [c.candidates() for _ in range(3)] == expected


def test_select_bestup_and_worstup(table):
    best = AttentiveSampler(SPACE, random.Random(0), mode='bestup', score='loss', table=table)
    worst = AttentiveSampler(SPACE, random.Random(0), mode='worstup', score='loss', table=table)
    assert best.select([2.0, 0.5, 1.0]) == 1 and worst.select([2.0, 0.5, 1.0]) == 0
    acc = AttentiveSampler(SPACE, random.Random(0), score='acc', table=table)
    assert acc.select([60.0, 70.0, 65.0]) == 1


def test_acc_bestup_picks_the_predicted_best(table):
    sampler = AttentiveSampler(SPACE, random.Random(0), score='acc', num_candidates=20, table=table)
    rng_copy = random.Random(0)
    shadow = FlopsPriorSampler(SPACE, rng_copy, table=table)
    cands = shadow.sample_archs(20)
    pred = sampler.predictor.predict_archs(cands)
    assert sampler.candidates() == [cands[int(np.argmax(pred))]]


def test_pareto_pool_variant(table):
    sampler = AttentiveSampler(SPACE, random.Random(0), score='acc', pareto_pool=3000, table=table)
    archs, flops = sampler.build_pareto()
    assert flops == sorted(flops) and len(archs) >= 3
    assert sampler.sample() in archs


def test_pareto_set():
    flops = np.array([1, 2, 3, 4])
    acc = np.array([1.0, 0.5, 2.0, 1.5])
    assert pareto_set(flops, acc).tolist() == [0, 2]
    assert pareto_set(flops, acc, best=False).tolist() == [1, 3]
