"""Evolutionary search under a FLOPs budget, or any combination of FLOPs /
params / latency bounds (``constraints.ResourceConstraints``), torch-free
(docs/methods/attentivenas.md#evolution-search).

An initial population, then per generation ``num_mutations`` mutations and
``num_crossovers`` gene-wise crossovers (each gene from either parent with
probability 0.5) of parents drawn uniformly from a parent set. A mutated gene
always takes a *different* value (the authors' ``mutate_and_reset``, whose
``pick_another`` excludes the current one; each gene mutates with
``mutation_prob``). Two parent/population rules (``strategy``):

* ``'top_k'`` (default): the parents are the best ``num_parents`` of the
  population; the next population is the parents plus the children.
* ``'alphanet'``: the authors' released search (facebookresearch/AlphaNet
  parallel_supernet_evo_search.py): the initial population is the min arch
  plus random archs; the parents are the best arch of every
  ``bucket_mflops``-wide FLOPs bucket among *all* archs evaluated so far
  (their ``pareto_global``); the next population is the children only, and
  a child may repeat an evaluated arch (not re-evaluated here).

An arch outside the budget is never evaluated; an arch is evaluated once.
The fitness is any callable on a list of archs (accuracy after BN
recalibration, a predictor, or a synthetic function in tests).
"""
from __future__ import annotations

import random
from typing import Callable, Optional, Sequence

from ..arch import AttentiveArch, AttentiveSpace
from ..estimators.flops import count_flops
from .base import rng_state_ints, set_rng_state_ints
from .constraints import ResourceConstraints
from .flops_table import bucket_of
from .pareto import pareto_front

Fitness = Callable[[Sequence[AttentiveArch]], Sequence[float]]
STRATEGIES = ('top_k', 'alphanet')


def space_flops_range(space: AttentiveSpace) -> tuple[int, int]:
    """(min, max) FLOPs the space can reach (its min and max archs)."""
    return count_flops(space.min_arch(), space=space), count_flops(space.max_arch(), space=space)


def check_budget(space: AttentiveSpace, min_mflops: float, max_mflops: float) -> None:
    """Raise ValueError when no arch of ``space`` fits the budget."""
    lo, hi = space_flops_range(space)
    if min_mflops > max_mflops or max_mflops * 1e6 < lo or min_mflops * 1e6 > hi:
        raise ValueError(f'FLOPs budget [{min_mflops}, {max_mflops}] MFLOPs is outside what the '
                         f'search space can reach: min {lo / 1e6:.2f} / max {hi / 1e6:.2f} MFLOPs')


class EvolutionSearch:
    """The evolutionary search state and its steps.

    Args:
        space (AttentiveSpace): The space.
        fitness (callable): archs -> fitness (higher is better).
        rng (random.Random): The generator.
        min_mflops (float): Budget lower bound. Defaults to 0.
        max_mflops (float): Budget upper bound. Defaults to inf.
        population_size (int): Initial population. Defaults to 512.
        num_parents (int): Best archs kept as parents. Defaults to 128.
        num_mutations (int): Mutations per generation. Defaults to 128.
        mutation_prob (float): Per-gene mutation probability. Defaults to 0.1.
        num_crossovers (int): Crossovers per generation. Defaults to 128.
        max_tries (int): Draws per child before giving up on it. Defaults to 100.
        strategy (str): Parent/population rule, 'top_k' or 'alphanet' (see
            the module doc). Defaults to 'top_k'.
        bucket_mflops (float): 'alphanet': FLOPs bucket width of the parent
            set (their ``evo_search.step``). Defaults to 10.
        constraints (ResourceConstraints, optional): Bounds on any of FLOPs,
            params and predicted latency, and the Pareto axis; replaces
            ``min_mflops``/``max_mflops`` (leave those unset).
    """

    def __init__(self, space: AttentiveSpace, fitness: Fitness, rng: random.Random,
                 min_mflops: float = 0.0, max_mflops: float = float('inf'),
                 population_size: int = 512, num_parents: int = 128, num_mutations: int = 128,
                 mutation_prob: float = 0.1, num_crossovers: int = 128, max_tries: int = 100,
                 strategy: str = 'top_k', bucket_mflops: float = 10.0,
                 constraints: Optional[ResourceConstraints] = None):
        if strategy not in STRATEGIES:
            raise ValueError(f'strategy: {strategy!r} not in {STRATEGIES}')
        if not bucket_mflops > 0:
            raise ValueError(f'bucket_mflops: must be > 0, got {bucket_mflops}')
        if constraints is None:
            check_budget(space, min_mflops, max_mflops)
            constraints = ResourceConstraints(space, mflops=(min_mflops, max_mflops))
        elif (min_mflops, max_mflops) != (0.0, float('inf')):
            raise ValueError('min_mflops/max_mflops: give the FLOPs bounds in constraints')
        min_mflops, max_mflops = constraints.bounds.get('mflops', (0.0, float('inf')))
        for name, v in (('population_size', population_size), ('num_parents', num_parents)):
            if v < 1:
                raise ValueError(f'{name}: must be >= 1, got {v}')
        if not 0.0 <= mutation_prob <= 1.0:
            raise ValueError(f'mutation_prob: must be in [0, 1], got {mutation_prob}')
        self.space, self.fitness, self.rng = space, fitness, rng
        self.constraints = constraints
        self.min_flops, self.max_flops = min_mflops * 1e6, max_mflops * 1e6
        self.population_size, self.num_parents = population_size, num_parents
        self.num_mutations, self.mutation_prob = num_mutations, mutation_prob
        self.num_crossovers, self.max_tries = num_crossovers, max_tries
        self.strategy, self.bucket_mflops = strategy, bucket_mflops
        self.choices = space.gene_choices()
        self.generation = 0
        self.population: list[tuple[int, ...]] = []
        self.evaluated: dict[tuple[int, ...], tuple[float, int]] = {}  # key -> (fitness, flops)

    # ------------------------------------------------------------ budget
    def flops(self, genes: Sequence[int]) -> int:
        return count_flops(self.space.decode(genes), space=self.space)

    def in_budget(self, genes: Sequence[int]) -> bool:
        return self.constraints.satisfied(genes)

    def _project(self, genes: list[int]) -> list[int]:
        # Random walk of one-step gene changes towards the budget: uniform
        # draws rarely land in budgets near the space's extremes (A0 is the min arch).
        for _ in range(10 * len(genes)):
            step = self.constraints.direction(genes)
            if step == 0:
                break
            movable = [i for i, c in enumerate(self.choices)
                       if 0 <= c.index(genes[i]) + step < len(c)]
            i = self.rng.choice(movable)
            genes[i] = self.choices[i][self.choices[i].index(genes[i]) + step]
        return genes

    def random_genes(self) -> tuple[int, ...]:
        """A random arch in budget (uniform draws, then a projection)."""
        for _ in range(20):
            genes = [self.rng.choice(c) for c in self.choices]
            if self.in_budget(genes):
                return tuple(genes)
        return tuple(self._project(genes))

    def _mutate_gene(self, g: int, choices: Sequence[int]) -> int:
        # The authors' pick_another (attentive_nas_dynamic_model.py L325):
        # a mutated gene takes another value; a one-choice gene stays.
        if self.rng.random() >= self.mutation_prob or len(choices) == 1:
            return g
        return self.rng.choice([v for v in choices if v != g])

    def _new(self, child: tuple[int, ...]) -> bool:
        # 'alphanet' draws children until they fit the budget, seen or not.
        return self.strategy == 'alphanet' or child not in self.evaluated

    def mutate(self, parent: Sequence[int]) -> Optional[tuple[int, ...]]:
        for _ in range(self.max_tries):
            child = tuple(self._mutate_gene(g, c) for g, c in zip(parent, self.choices))
            if self._new(child) and self.in_budget(child):
                return child
        return None

    def crossover(self, a: Sequence[int], b: Sequence[int]) -> Optional[tuple[int, ...]]:
        for _ in range(self.max_tries):
            child = tuple(x if self.rng.random() < 0.5 else y for x, y in zip(a, b))
            if self._new(child) and self.in_budget(child):
                return child
        return None

    # --------------------------------------------------------- evaluation
    def evaluate(self, genes_list: Sequence[tuple[int, ...]]) -> None:
        new = list(dict.fromkeys(g for g in genes_list if g not in self.evaluated))
        if not new:
            return
        scores = self.fitness([self.space.decode(g) for g in new])
        for g, s in zip(new, scores):
            self.evaluated[g] = (float(s), self.flops(g))

    def ranked(self, keys: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        return sorted(set(keys), key=lambda g: -self.evaluated[g][0])

    def bucket_parents(self) -> list[tuple[int, ...]]:
        """'alphanet' parents: the best evaluated arch of every FLOPs bucket
        (MFLOPs rounded to a multiple of ``bucket_mflops``, ``bucket_of``),
        the first one on ties (parallel_supernet_evo_search.py L129-132)."""
        best: dict[int, tuple[int, ...]] = {}
        for g, (fit, flops) in self.evaluated.items():
            b = bucket_of(flops, self.bucket_mflops)
            if b not in best or self.evaluated[best[b]][0] < fit:
                best[b] = g
        return [best[b] for b in sorted(best)]

    def init_population(self) -> None:
        genes = [self.random_genes() for _ in range(self.population_size)]
        if self.strategy == 'alphanet':
            # Their first member is the min subnet (L95-96); here only when it
            # fits the budget (it does for every shipped budget: min_mflops 0).
            smallest = tuple(self.space.min_arch().encode())
            if self.in_budget(smallest):
                genes[0] = smallest
        self.evaluate(genes)
        self.population = self.ranked(genes)

    def step(self) -> None:
        """One generation: mutations and crossovers of the parents."""
        parents = (self.bucket_parents() if self.strategy == 'alphanet'
                   else self.ranked(self.population)[:self.num_parents])
        children = []
        for _ in range(self.num_mutations):
            child = self.mutate(self.rng.choice(parents))
            if child is not None:
                children.append(child)
        for _ in range(self.num_crossovers):
            child = self.crossover(self.rng.choice(parents), self.rng.choice(parents))
            if child is not None:
                children.append(child)
        self.evaluate(children)
        self.population = self.ranked(children if self.strategy == 'alphanet'
                                      else parents + children)
        self.generation += 1

    def run(self, generations: int, on_generation: Optional[Callable] = None) -> AttentiveArch:
        """Run (or continue) until ``generations``; returns the best arch."""
        if not self.evaluated:  # (an 'alphanet' generation may leave no population)
            self.init_population()
            if on_generation:
                on_generation(self)
        while self.generation < generations:
            self.step()
            if on_generation:
                on_generation(self)
        return self.best()

    # -------------------------------------------------------------- results
    def best(self) -> AttentiveArch:
        key = max(self.evaluated, key=lambda g: self.evaluated[g][0])
        return self.space.decode(key)

    def pareto(self, axis: str = 'mflops') -> list[tuple[float, float, tuple[int, ...]]]:
        """(resource, fitness, genes) of the evaluated archs no other beats
        with less-or-equal ``axis`` ('mflops' as FLOPs, or a resource of the
        constraints: 'mparams', 'latency_ms'), sorted by it (exact ties: the
        smaller genes)."""
        genes = sorted(self.evaluated)
        scores = [self.evaluated[g][0] for g in genes]
        costs = ([self.evaluated[g][1] for g in genes] if axis == 'mflops'
                 else [self.constraints.values(g)[axis] for g in genes])
        return [(costs[i], scores[i], genes[i]) for i in pareto_front(costs, scores)]

    def state_dict(self) -> dict:
        """JSON-able state (written after every generation)."""
        return {'generation': self.generation, 'rng': rng_state_ints(self.rng),
                'population': [list(g) for g in self.population],
                'evaluated': [[list(g), s, f] for g, (s, f) in self.evaluated.items()]}

    def load_state_dict(self, state: dict) -> None:
        self.generation = int(state['generation'])
        set_rng_state_ints(self.rng, state['rng'])
        self.population = [tuple(g) for g in state['population']]
        self.evaluated = {tuple(g): (float(s), int(f)) for g, s, f in state['evaluated']}
