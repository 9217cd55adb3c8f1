"""Evolution search rules taken from the authors' code.

* Mutation: facebookresearch/AttentiveNAS models/attentive_nas_dynamic_model.py
  ``mutate_and_reset`` (lines 323-341): each gene mutates with ``prob`` and
  then takes another value (``pick_another``, line 325, excludes the current
  one; a one-choice gene stays).
* ``strategy='alphanet'``: facebookresearch/AlphaNet
  parallel_supernet_evo_search.py: the initial population starts with the min
  subnet (lines 93-102); the parents are the best arch per FLOPs bucket
  ``round(flops / step) * step`` over everything evaluated so far (lines
  129-132, strictly better replaces); the next population is the
  ``mutate_size`` mutations plus the ``crossover_size`` crossovers of parents
  drawn uniformly from that set (lines 135-157).
"""
import random

import pytest

from nas_backbones.arch import default_attentive_space
from nas_backbones.samplers import EvolutionSearch

SPACE = default_attentive_space()


def fitness_by_sum(archs):
    return [float(sum(a.encode()) % 97) for a in archs]


def test_mutated_gene_always_takes_another_value():
    search = EvolutionSearch(SPACE, fitness_by_sum, random.Random(0), mutation_prob=0.1)
    parent = SPACE.sample(random.Random(1)).encode()
    multi = [i for i, c in enumerate(search.choices) if len(c) > 1]
    changed, n = 0, 3000
    for _ in range(n):
        child = search.mutate(parent)
        assert all(child[i] == parent[i] for i, c in enumerate(search.choices) if len(c) == 1)
        changed += sum(child[i] != parent[i] for i in multi)
    # Every mutation changes the gene: the change rate is the mutation prob
    # (0.1); a uniform redraw that may keep the value gives 0.1 * (1 - 1/n),
    # 0.060 on average over the published space's multi-choice genes.
    rate = changed / (n * len(multi))
    assert abs(rate - 0.1) < 0.005, rate


def test_two_choice_gene_mutation_flips_it():
    search = EvolutionSearch(SPACE, fitness_by_sum, random.Random(0), mutation_prob=1.0)
    parent = SPACE.min_arch().encode()
    child = search.mutate(parent)
    assert all(c != p for c, p, ch in zip(child, parent, search.choices) if len(ch) > 1)


def test_alphanet_initial_population_starts_with_min_arch():
    search = EvolutionSearch(SPACE, fitness_by_sum, random.Random(0), 0.0, 800.0,
                             population_size=8, strategy='alphanet')
    search.init_population()
    assert tuple(SPACE.min_arch().encode()) in search.evaluated
    assert len(search.evaluated) == 8


def test_alphanet_parents_are_bucket_bests_and_population_is_children():
    search = EvolutionSearch(SPACE, fitness_by_sum, random.Random(0), 0.0, 800.0,
                             population_size=32, num_mutations=6, num_crossovers=5,
                             mutation_prob=0.2, strategy='alphanet', bucket_mflops=10.0)
    search.init_population()
    search.step()  # a second generation: the parent set spans both
    best = {}
    for g, (fit, flops) in search.evaluated.items():  # their pareto_global update
        f = round(flops / 1e6 / 10.0) * 10.0
        if f not in best or best[f][0] < fit:
            best[f] = (fit, g)
    expected = {g for _, g in best.values()}
    assert set(search.bucket_parents()) == expected

    drawn, children = [], []
    mutate, crossover = search.mutate, search.crossover

    def record_mutate(p):
        drawn.append(p)
        children.append(mutate(p))
        return children[-1]

    def record_crossover(a, b):
        drawn.extend([a, b])
        children.append(crossover(a, b))
        return children[-1]

    search.mutate, search.crossover = record_mutate, record_crossover
    search.step()
    assert len(children) == 11 and set(drawn) <= expected
    assert set(search.population) == {c for c in children if c is not None}


def test_unknown_strategy_names_the_argument():
    with pytest.raises(ValueError, match="strategy: 'best' not in"):
        EvolutionSearch(SPACE, fitness_by_sum, random.Random(0), strategy='best')
