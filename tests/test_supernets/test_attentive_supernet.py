"""AttentiveSupernet: every subnet's output == its exported static model's
(eval, atol 1e-5) and analytic FLOPs == the hook count of that static model."""
import random
from pathlib import Path

import pytest
import torch
import torch.nn as nn
from torch.testing import assert_close

from nas_backbones.arch import AttentiveSpace, default_attentive_space, load_arch, make_divisible
from nas_backbones.estimators import count_cost, count_flops
from nas_backbones.estimators.hook_count import hook_count
from nas_backbones.ops.classifier import build_static_classifier
from nas_backbones.supernets import AttentiveSupernet, space_from_cfg

TINY = AttentiveSpace.load(Path(__file__).with_name('attentivenas_tiny_space.yml'))


def archs(space, n, seed=0):
    rng = random.Random(seed)
    return [space.min_arch(), space.max_arch()] + [space.sample(rng) for _ in range(n - 2)]


def randomise_bn(module):
    g = torch.Generator().manual_seed(0)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.2)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.2)


@pytest.fixture(scope='module')
def tiny_supernet():
    torch.manual_seed(0)
    net = AttentiveSupernet(TINY, num_classes=10)
    randomise_bn(net)
    return net.eval()


TINY_ARCHS = archs(TINY, 60)


@pytest.mark.parametrize('arch', TINY_ARCHS, ids=[f'arch{i}' for i in range(len(TINY_ARCHS))])
def test_subnet_equals_static_and_flops(tiny_supernet, arch):
    arch = arch.replace(num_classes=10)
    tiny_supernet.set_arch(arch)
    static = tiny_supernet.to_static(arch).eval()
    x = torch.randn(2, 3, arch.resolution, arch.resolution)
    with torch.no_grad():
        assert_close(tiny_supernet(x), static(x), atol=1e-5, rtol=1e-5)
    assert count_flops(arch, space=TINY) == hook_count(static, arch.resolution, 'attentivenas').flops


def test_static_naming_matches_builder(tiny_supernet):
    arch = TINY.sample(random.Random(3)).replace(num_classes=10)
    exported = tiny_supernet.to_static(arch).state_dict()
    built = build_static_classifier(arch, space=TINY).state_dict()
    assert list(exported) == list(built)
    assert all(exported[k].shape == built[k].shape for k in built)


@pytest.fixture(scope='module')
def published_supernet():
    torch.manual_seed(0)
    net = AttentiveSupernet(default_attentive_space())
    randomise_bn(net)
    return net.eval()


@pytest.mark.parametrize('name', ['min', 'attentivenas_a1', 'max'])
def test_published_space_subnets(published_supernet, name):
    space, net = default_attentive_space(), published_supernet
    arch = {'min': space.min_arch(), 'max': space.max_arch()}.get(name) or load_arch(name)
    net.set_arch(arch)
    static = net.to_static(arch).eval()
    x = torch.randn(1, 3, arch.resolution, arch.resolution)
    with torch.no_grad():
        assert_close(net(x), static(x), atol=1e-5, rtol=1e-4)
    assert count_flops(arch) == hook_count(static, arch.resolution, 'attentivenas').flops


def test_input_is_resized_bicubic(tiny_supernet):
    arch = TINY.min_arch().replace(num_classes=10)
    tiny_supernet.set_arch(arch)
    x = torch.randn(1, 3, 64, 64)
    resized = torch.nn.functional.interpolate(x, size=(32, 32), mode='bicubic', align_corners=False)
    with torch.no_grad():
        assert_close(tiny_supernet(x), tiny_supernet(resized))


def test_set_arch_outside_space_names_the_gene(tiny_supernet):
    bad = TINY.max_arch().replace(resolution=224)
    with pytest.raises(ValueError, match=r'outside the supernet space: resolution: 224'):
        tiny_supernet.set_arch(bad)


def test_regularisation_only_on_max_by_default(tiny_supernet):
    tiny_supernet.set_arch(TINY.max_arch())
    assert tiny_supernet._plan.dropout == tiny_supernet.dropout
    tiny_supernet.set_arch(TINY.min_arch())
    assert tiny_supernet._plan.dropout == 0.0
    assert all(c.drop_path_rate == 0.0 for _, c in tiny_supernet._plan.blocks)


def test_space_from_cfg_merges_partial_overrides():
    space = space_from_cfg(dict(resolutions=[64, 96], mb7=dict(d=[1])))
    assert space.resolutions == (64, 96) and space.stages[6].depths == (1,)
    assert space.stages[0] == default_attentive_space().stages[0]


@pytest.mark.parametrize('seed', range(5))
def test_channels_last_equals_static(seed):
    torch.manual_seed(seed)
    net = AttentiveSupernet(TINY, num_classes=10, channels_last=True)
    randomise_bn(net)
    arch = TINY.sample(random.Random(seed)).replace(num_classes=10)
    net.eval().set_arch(arch)
    x = torch.randn(2, 3, arch.resolution, arch.resolution)
    with torch.no_grad():
        assert_close(net(x), net.to_static(arch).eval()(x), atol=1e-5, rtol=1e-5)


def test_expand_ratio_one_keeps_expansion_in_mixed_stage(tiny_supernet):
    """t=1 in the tiny space's mb4 (t: [1, 3, 4]) keeps the 1x1 expansion with
    make_divisible(cin, 8) channels, as the authors' DynamicMBConvLayer
    (models/modules/dynamic_layers.py lines 36-43, 69); mb1 (t: [1] only)
    has none. Supernet plan, static builder, estimator and export agree."""
    arch = TINY.max_arch().replace(expand=(1, 4, 4, 1, 4, 4, 4), num_classes=10)
    tiny_supernet.set_arch(arch)
    choices = [c for _, c in tiny_supernet._plan.blocks]
    mb1 = choices[:arch.depth[0]]
    start = sum(arch.depth[:3])
    mb4 = choices[start:start + arch.depth[3]]
    assert all(not c.expand and c.mid_channels == c.in_channels for c in mb1)
    assert all(c.expand and c.mid_channels == make_divisible(c.in_channels, 8) for c in mb4)
    static = tiny_supernet.to_static(arch).eval()
    assert all(isinstance(static.backbone.blocks[start + d].expand, torch.nn.Sequential)
               for d in range(arch.depth[3]))
    built = build_static_classifier(arch, space=TINY)
    assert list(built.state_dict()) == list(static.state_dict())
    rows = {r.name for r in count_cost(arch, space=TINY).layers}
    assert f'backbone.blocks.{start}.expand' in rows and 'backbone.blocks.0.expand' not in rows
    x = torch.randn(2, 3, arch.resolution, arch.resolution)
    with torch.no_grad():
        assert_close(tiny_supernet(x), static(x), atol=1e-5, rtol=1e-5)
