"""The analytic estimator reproduces every published FLOPs/params figure, and
a forward-hook count on the built static model agrees with it exactly
(docs/flops_conventions.md#checks)."""
import pytest
from nas_conftest import PUBLISHED_COSTS, ZOO

from nas_backbones.arch import atomnas_supernet_arch, default_attentive_space, load_arch
from nas_backbones.estimators import count_cost
from nas_backbones.estimators.hook_count import hook_count
from nas_backbones.ops import build_static_classifier


@pytest.mark.parametrize('name', ZOO, ids=ZOO)
def test_published_flops_and_params(name):
    cost = count_cost(load_arch(name))
    mflops, mparams = PUBLISHED_COSTS[name]
    assert round(cost.mflops, 2) == mflops
    assert round(cost.mparams, 3) == mparams


@pytest.mark.parametrize('stem,mflops', [(32, 1521.04), (16, 1510.60)], ids=['stem32', 'stem16'])
def test_atomnas_supernet(stem, mflops):
    cost = count_cost(atomnas_supernet_arch(stem_channels=stem))
    assert round(cost.mflops, 2) == mflops
    if stem == 32:
        assert cost.flops == 1_521_035_776
        assert round(cost.mparams, 2) == 11.11


def test_attentive_max_subnet():
    cost = count_cost(default_attentive_space().max_arch())
    assert (round(cost.mflops, 2), round(cost.mparams, 3)) == (1939.34, 23.832)


def test_attentive_min_subnet_is_a0():
    assert default_attentive_space().min_arch().encode() == load_arch('attentivenas_a0').encode()


def test_per_layer_rows_add_up():
    cost = count_cost(load_arch('atomnas_b_plus'))
    assert sum(r.flops for r in cost.layers) == cost.flops
    assert sum(r.params for r in cost.layers) == cost.params
    assert cost.table().splitlines()[-1].split()[1] == f'{cost.mflops:.2f}'


# Each arch in its family's convention (docs/flops_conventions.md), plus the
# AtomNAS archs in the AttentiveNAS one. (AttentiveNAS nets under the AtomNAS
# convention are
# left out: their strided shortcut pools are functional, which hooks miss.)
HOOK_CASES = [(n, n.split('_')[0]) for n in ZOO] + \
    [(n, 'attentivenas') for n in ZOO if n.startswith('atomnas')]


@pytest.mark.parametrize('name,convention', HOOK_CASES, ids=[f'{n}-{c}' for n, c in HOOK_CASES])
def test_hook_count_equals_analytic(name, convention):
    arch = load_arch(name)
    analytic = count_cost(arch, convention=convention)
    model = build_static_classifier(arch)
    # One image at the arch's resolution: FLOPs per image, as published.
    hooked = hook_count(model, arch.resolution, convention)
    assert hooked.flops == analytic.flops
    assert hooked.params == analytic.module_params
    # Layer by layer (as multisets: module paths and estimator row names
    # differ in detail), so compensating errors cannot hide.
    assert sorted(r.flops for r in hooked.layers) == \
        sorted(r.flops for r in analytic.layers if r.kind != 'unused')


def test_unknown_convention_is_named():
    with pytest.raises(ValueError, match='convention'):
        count_cost(load_arch('atomnas_a'), convention='mmcv')
