"""Evolution search: finds a known optimum within the budget, never evaluates
outside it, rejects unreachable budgets, and resumes from its saved state."""
import json
import random
from pathlib import Path

import pytest

from nas_backbones.arch import AttentiveSpace, default_attentive_space
from nas_backbones.estimators import count_flops
from nas_backbones.samplers import EvolutionSearch, ForestPredictor, space_flops_range

TINY = AttentiveSpace.load(Path(__file__).resolve().parents[1] / 'test_supernets' /
                           'attentivenas_tiny_space.yml')


def hamming_fitness(target, space, budget):
    evaluated = []

    def fitness(archs):
        out = []
        for a in archs:
            f = count_flops(a, space=space)
            assert budget[0] <= f / 1e6 <= budget[1], 'evaluated an arch outside the budget'
            evaluated.append(a)
            out.append(-sum(x != y for x, y in zip(a.encode(), target.encode())))
        return out
    return fitness, evaluated


@pytest.mark.parametrize('space', [TINY, default_attentive_space()], ids=['tiny', 'published'])
def test_finds_known_optimum_within_budget(space):
    rng = random.Random(0)
    lo, hi = space_flops_range(space)
    budget = (lo / 1e6, (lo + 0.4 * (hi - lo)) / 1e6)
    while True:  # a target inside the budget
        target = space.sample(rng)
        if budget[0] <= count_flops(target, space=space) / 1e6 <= budget[1]:
            break
    fitness, evaluated = hamming_fitness(target, space, budget)
    search = EvolutionSearch(space, fitness, random.Random(1), *budget, population_size=64,
                             num_parents=16, num_mutations=32, mutation_prob=0.1,
                             num_crossovers=32)
    best = search.run(generations=40)
    assert best.encode() == target.encode()
    assert len(evaluated) == len({a.key() for a in evaluated})  # each arch evaluated once


def test_unreachable_budget_names_budget_and_space_range():
    with pytest.raises(ValueError, match=r'\[0.0, 100.0\] MFLOPs .* min 203.39 / max 1939.34'):
        EvolutionSearch(default_attentive_space(), None, random.Random(0), 0.0, 100.0)
    with pytest.raises(ValueError, match='outside what the search space can reach'):
        EvolutionSearch(default_attentive_space(), None, random.Random(0), 2000.0, 3000.0)


def test_budget_near_the_min_is_sampled_by_projection():
    space = default_attentive_space()
    search = EvolutionSearch(space, lambda a: [0.0] * len(a), random.Random(0), 0.0, 210.0,
                             population_size=8)
    search.init_population()
    assert all(f <= 210e6 for _, f in search.evaluated.values())


def test_resume_from_state_gives_the_same_search(tmp_path):
    forest = ForestPredictor.load()
    space = default_attentive_space()

    def make():
        return EvolutionSearch(space, lambda a: forest.predict_archs(a).tolist(),
                               random.Random(3), 0.0, 400.0, population_size=32,
                               num_parents=8, num_mutations=16, num_crossovers=16)

    full = make()
    full.run(4)
    first = make()
    first.run(2)
    state = tmp_path / 'search_state.json'
    state.write_text(json.dumps(first.state_dict()))
    resumed = make()
    resumed.load_state_dict(json.loads(state.read_text()))
    resumed.run(4)
    assert resumed.evaluated == full.evaluated and resumed.best() == full.best()
    front = full.pareto()
    assert [f for f, _, _ in front] == sorted(f for f, _, _ in front)
