"""Weight init of the built nets (ops/static_net.py): the AtomNAS family uses
the authors' "mnas" init (meijieru/AtomNAS models/mobilenet_base.py L440-459,
selected by ``reset_param_method: mnas`` in
apps/mobilenet/default_mnas_scheduler.yml L54-55 for the supernet and the
retrained nets); the scales below are that function's.

AttentiveNAS nets start as the authors' do: PyTorch's default init, then the
last BN gamma of every block zeroed.

facebookresearch/AttentiveNAS calls no weight init (models/modules/nn_base.py
``init_model`` is never called by train_attentive_nas.py or the model
factory); AttentiveNasDynamicModel.__init__ calls
``zero_residual_block_bn_weights`` (models/attentive_nas_dynamic_model.py
line 121), which zeroes ``point_linear.bn`` of every block with a shortcut
(lines 128-133), i.e. of every block.
"""
import math

import pytest
import torch
import torch.nn as nn

from nas_backbones.arch import default_attentive_space, load_arch
from nas_backbones.ops import AtomicBlock, build_static_classifier
from nas_backbones.ops.dynamic_mbconv import DynamicMBConv
from nas_backbones.ops.mbconv import MBConv
from nas_backbones.ops.static_net import build_atomnas_net, build_static_net, init_weights
from nas_backbones.supernets import AtomNASSupernet, AttentiveSupernet


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
    with pytest.raises(ValueError, match="weight_init: unknown scheme 'he'"):
        init_weights(nn.Conv2d(3, 3, 1), 'he')


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


# AttentiveNAS: PyTorch default init, last BN gamma of every block zeroed.

def _torch_default_bound(m: nn.Module) -> float:
    # kaiming_uniform_(a=sqrt(5)) of nn.Conv2d / nn.Linear.reset_parameters:
    # bound = sqrt(6 / ((1 + 5) * fan_in)) = 1 / sqrt(fan_in).
    return 1.0 / math.sqrt(m.weight[0].numel())


def _check_default_init(model: nn.Module, last_bns: set) -> None:
    for name, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            bound = _torch_default_bound(m)
            w = m.weight.detach().abs()
            assert float(w.max()) <= bound + 1e-7, name
            if m.weight.numel() >= 1000:  # uniform, not a normal with another scale
                assert float(w.max()) > 0.95 * bound, name
                assert abs(float(w.pow(2).mean().sqrt()) - bound / math.sqrt(3)) < 0.05 * bound, name
            if m.bias is not None:
                assert float(m.bias.detach().abs().max()) <= bound + 1e-7, name
        elif isinstance(m, nn.BatchNorm2d):
            assert torch.all(m.bias == 0), name
            expected = 0.0 if m in last_bns else 1.0
            assert torch.all(m.weight == expected), name


def test_static_net_zero_last_gamma_default_init_otherwise():
    torch.manual_seed(0)
    model = build_static_classifier(load_arch('attentivenas_a0'))
    blocks = [m for m in model.modules() if isinstance(m, MBConv)]
    assert len(blocks) == sum(load_arch('attentivenas_a0').depth)
    _check_default_init(model, {b.project.bn for b in blocks})


def test_supernet_zero_last_gamma_default_init_otherwise():
    torch.manual_seed(0)
    net = AttentiveSupernet(default_attentive_space())
    blocks = [m for m in net.modules() if isinstance(m, DynamicMBConv)]
    assert len(blocks) == sum(max(st.depths) for st in net.space.stages)
    _check_default_init(net, {b.project.bn.bn for b in blocks})
    # The exported subnet of a fresh supernet starts the same way.
    static = net.to_static(net.space.min_arch())
    assert all(torch.all(m.project.bn.weight == 0) for m in static.modules()
               if isinstance(m, MBConv))


def test_atomnas_nets_keep_their_gamma():
    # The AttentiveNAS rule is the AttentiveNAS family's: AtomNAS blocks' BNs start at 1.
    torch.manual_seed(0)
    model = build_static_classifier(load_arch('atomnas_a'))
    bns = [m for b in model.modules() if isinstance(b, AtomicBlock) for m in b.modules()
           if isinstance(m, nn.BatchNorm2d)]
    assert bns and all(torch.all(m.weight == 1) for m in bns)
