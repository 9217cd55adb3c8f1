"""Weight init of the built nets (ops/static_net.py): the AtomNAS family uses
the authors' "mnas" init (meijieru/AtomNAS models/mobilenet_base.py L440-459,
selected by ``reset_param_method: mnas`` in
apps/mobilenet/default_mnas_scheduler.yml L54-55 for the supernet and the
retrained nets); the scales below are that function's."""
import math

import pytest
import torch
import torch.nn as nn

from nas_backbones.ops.static_net import build_atomnas_net, build_static_net, init_weights
from nas_backbones.arch import load_arch
from nas_backbones.supernets import AtomNASSupernet


def _convs(net, pred):
    return [m for m in net.modules() if isinstance(m, nn.Conv2d) and pred(m)]


def _check_std(weights, std):
    w = torch.cat([t.detach().flatten() for t in weights])
    assert w.numel() > 20000
    assert w.mean().abs() < 0.05 * std
    assert w.std().item() == pytest.approx(std, rel=0.03)


def test_mnas_scales_on_the_supernet():
    """Depthwise conv: N(0, sqrt(2) / k) (fan_out = k*k, L443-444); other convs
    N(0, sqrt(2 / (out * k * k))) (L446-448); fc U(+-1/sqrt(out_features))
    (L455-458); BN 1/0, biases 0."""
    torch.manual_seed(0)
    net = AtomNASSupernet()
    for k in (3, 5, 7):
        dw = _convs(net, lambda m: m.groups == m.in_channels > 1 and m.kernel_size[0] == k)
        _check_std([m.weight for m in dw], math.sqrt(2) / k)
    expands = _convs(net, lambda m: m.kernel_size == (1, 1) and m.out_channels == 144 * 3)
    _check_std([m.weight for m in expands], math.sqrt(2 / (144 * 3)))
    fc = net.head.fc.weight.detach()
    bound = 1 / math.sqrt(1000)
    assert fc.abs().max() <= bound and fc.abs().max() > 0.99 * bound
    assert fc.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    assert torch.count_nonzero(net.head.fc.bias) == 0
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(torch.all(m.weight == 1) and torch.all(m.bias == 0) for m in bns)


def test_searched_atomnas_nets_use_mnas():
    torch.manual_seed(0)
    atom = build_static_net(load_arch('atomnas_c'))
    dw7 = _convs(atom, lambda m: m.groups == m.in_channels and m.kernel_size[0] == 7)
    _check_std([m.weight for m in dw7], math.sqrt(2) / 7)
    # The mobilenet (kaiming fan-out) init gives the same dw convs
    # sqrt(2 / (C * 49)), C >= 40 here: several times smaller.
    init_weights(atom, 'mobilenet')
    assert torch.cat([m.weight.flatten() for m in dw7]).std() < 0.3 * math.sqrt(2) / 7


def test_unknown_scheme_names_the_argument():
    with pytest.raises(ValueError, match='weight_init'):
        build_atomnas_net(load_arch('atomnas_a'), weight_init='xavier')


def test_retrain_config_head_uses_mnas():
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from nas_conftest import REPO

    from nas_backbones.registry import MODELS
    cfg = Config.fromfile(str(REPO / 'configs/atomnas/atomnas-a-plus_32xb128_in1k.py'))
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        torch.manual_seed(0)
        model = MODELS.build(cfg.model)
        model.init_weights()
    fc = model.head.fc.weight.detach()
    bound = 1 / math.sqrt(1000)
    assert fc.abs().max() <= bound and fc.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    dw3 = _convs(model.backbone, lambda m: m.groups == m.in_channels and m.kernel_size[0] == 3)
    _check_std([m.weight for m in dw3], math.sqrt(2) / 3)
