"""Evolution under any combination of FLOPs / params / latency bounds: no arch
outside a bound is ever evaluated, the known optimum inside them is found,
the Pareto front is non-dominated on the chosen axis, and impossible bounds
fail naming the resource and what the space reaches. Latency comes from a
table with made-up entries (the search only sums them)."""
import random

import pytest
from nas_conftest import REPO

from nas_backbones.arch import AttentiveSpace
from nas_backbones.estimators import count_cost
from nas_backbones.estimators.latency import LatencyEstimator, LatencyTable, attentive_space_keys
from nas_backbones.samplers import EvolutionSearch
from nas_backbones.samplers.constraints import ResourceConstraints

TINY = AttentiveSpace.load(REPO / 'tests' / 'test_supernets' / 'attentivenas_tiny_space.yml')
SETTINGS = dict(device='cpu', backend='torch', batch=1, threads=1, channels_last=False,
                clock='wall', warmup=0, repeats=1, num_classes=1000)


def fake_latency(space=TINY, seed=0) -> LatencyEstimator:
    rng = random.Random(seed)
    entries = {k: rng.uniform(0.05, 1.0) for k in attentive_space_keys(space)}
    return LatencyEstimator(LatencyTable('attentivenas', space.to_dict(), SETTINGS, {}, entries,
                                         offset_ms=0.3))


def middle(c: ResourceConstraints, name: str, frac: float) -> float:
    lo = c.values(TINY.min_arch().encode())[name]
    hi = c.values(TINY.max_arch().encode())[name]
    return lo + frac * (hi - lo)


def test_all_bounds_hold_and_the_optimum_is_found():
    lat = fake_latency()
    probe = ResourceConstraints(TINY, latency=lat)
    bounds = dict(mflops=(0, middle(probe, 'mflops', 0.6)),
                  mparams=(middle(probe, 'mparams', 0.1), middle(probe, 'mparams', 0.7)),
                  latency_ms=(0, middle(probe, 'latency_ms', 0.5)))
    c = ResourceConstraints(TINY, latency=lat, **bounds)
    assert c.axis == 'latency_ms'

    def inside(arch):
        cost = count_cost(arch, space=TINY, keep_layers=False)
        values = {'mflops': cost.flops / 1e6, 'mparams': cost.params / 1e6,
                  'latency_ms': lat.predict(arch)}
        return all(lo <= values[n] <= hi for n, (lo, hi) in bounds.items())

    rng = random.Random(0)
    target = next(a for a in (TINY.sample(rng) for _ in range(10000)) if inside(a))
    evaluated = []

    def fitness(archs):
        for a in archs:
            assert inside(a), 'evaluated an arch outside the bounds'
            evaluated.append(a.key())
        return [-sum(x != y for x, y in zip(a.encode(), target.encode())) for a in archs]

    search = EvolutionSearch(TINY, fitness, random.Random(1), population_size=64, num_parents=16,
                             num_mutations=32, num_crossovers=32, constraints=c)
    assert search.run(generations=40).encode() == target.encode()
    assert len(evaluated) == len(set(evaluated))
    front = search.pareto('latency_ms')
    xs = [x for x, _, _ in front]
    assert xs == sorted(xs) and xs[0] == min(lat.predict(TINY.decode(g)) for g in search.evaluated)
    fits = [f for _, f, _ in front]
    assert fits == sorted(fits) and len(set(fits)) == len(fits)  # each point beats the cheaper ones


def test_params_bound_alone():
    c = ResourceConstraints(TINY, mparams=(0, middle(ResourceConstraints(TINY), 'mparams', 0.2)))
    assert c.axis == 'mflops' and set(c.bounds) == {'mparams'}
    search = EvolutionSearch(TINY, lambda archs: [0.0] * len(archs), random.Random(0),
                             population_size=16, num_parents=4, num_mutations=4,
                             num_crossovers=4, constraints=c)
    search.run(2)
    assert all(c.satisfied(g) for g in search.evaluated)


def test_impossible_bounds_name_the_resource_and_range():
    lat = fake_latency()
    with pytest.raises(ValueError, match=r'latency_ms budget \[0, 0.1\] ms is outside .* min '):
        ResourceConstraints(TINY, latency_ms=(0, 0.1), latency=lat)
    with pytest.raises(ValueError, match=r'mparams: bounds \[2.0, 1.0\] are empty'):
        ResourceConstraints(TINY, mparams=(2, 1))
    with pytest.raises(ValueError, match='latency_lut: a latency bound needs a latency table'):
        ResourceConstraints(TINY, latency_ms=(0, 5))
    with pytest.raises(ValueError, match='pareto_axis: latency_ms needs latency_lut'):
        ResourceConstraints(TINY, axis='latency_ms')
    other = AttentiveSpace.from_dict({**TINY.to_dict(), 'resolutions': [32]})
    with pytest.raises(ValueError,
                       match=r'latency_lut: .* another search space.*\(resolutions \[32, 40\]\)'):
        ResourceConstraints(TINY, latency=fake_latency(other))
    with pytest.raises(ValueError, match='give the FLOPs bounds in constraints'):
        EvolutionSearch(TINY, None, random.Random(0), 0.0, 50.0,
                        constraints=ResourceConstraints(TINY))


def test_latency_prior_samples_land_in_latency_buckets(tmp_path):
    from nas_backbones.samplers import FlopsPriorSampler
    lat = fake_latency()
    path = lat.table.save(tmp_path / 'lut.json')
    sampler = FlopsPriorSampler(TINY, random.Random(0), resource='latency', latency_lut=path,
                                pool_size=2000, bucket_ms=0.5)
    assert sampler.table.bucket_mflops == 0.5  # the buckets are 0.5 ms wide
    for _ in range(10):
        bucket = sampler.sample_bucket()
        for arch in sampler.sample_archs(3, bucket):
            assert round(lat.predict(arch) / 0.5) == bucket
    assert sampler.num_misses == 0
    with pytest.raises(ValueError, match="latency_lut: resource='latency' needs a latency table"):
        FlopsPriorSampler(TINY, resource='latency')
    with pytest.raises(ValueError, match="latency_lut: only used with resource='latency'"):
        FlopsPriorSampler(TINY, latency_lut=path, pool_size=10)


@pytest.mark.parametrize('name', ['attentivenas-latency-prior_demo.py',
                                  'attentivenas-latency-prior_64xb32_in1k.py'])
def test_latency_prior_configs_build_their_sampler(name, tmp_path):
    from mmengine.config import Config

    from nas_backbones.registry import ARCH_SAMPLERS
    from nas_backbones.supernets import space_from_cfg
    cfg = Config.fromfile(REPO / 'configs' / 'attentivenas' / name)
    space = space_from_cfg(cfg.model.get('space'))
    lut = fake_latency(space).table.save(tmp_path / 'lut.json')  # the config's path, measured
    sampler_cfg = dict(cfg.model.sampler, latency_lut=str(lut), pool_size=500)
    sampler = ARCH_SAMPLERS.build(sampler_cfg, default_args=dict(space=space))
    assert sampler.resource == 'latency' and space.contains(sampler.sample())
