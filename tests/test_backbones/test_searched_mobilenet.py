"""SearchedMobileNet keeps the mmpretrain backbone contract (as mmpretrain's
own tests hold MobileNetV2 / MobileNetV3 / EfficientNet to it) for AtomNAS A,
AtomNAS C+ (Swish + SE), AttentiveNAS A0 and A6, and for every zoo arch where
it is cheap."""
import copy

import pytest
import torch
import torch.nn as nn
from nas_conftest import ZOO, check_norm_state
from torch.nn.modules.batchnorm import _BatchNorm

from nas_backbones.arch import load_arch
from nas_backbones.backbones import SearchedMobileNet
from nas_backbones.ops import AtomicBlock, MBConv

KINDS = ['atomnas_a', 'atomnas_c_plus', 'attentivenas_a0', 'attentivenas_a6']
SIZE = 64  # small CPU input; every arch downsamples by 32


def is_block(m):
    return isinstance(m, (AtomicBlock, MBConv))


@pytest.mark.parametrize('name', ZOO, ids=ZOO)
def test_out_indices_match_output_shape(name):
    net = SearchedMobileNet(name, out_indices=tuple(range(8))).eval()
    with torch.no_grad():
        outs = net(torch.randn(2, 3, SIZE, SIZE))
    shapes = net.output_shape()
    assert isinstance(outs, tuple) and len(outs) == 8
    for i, out in enumerate(outs):
        channels, stride = shapes[i]
        assert out.shape == (2, channels, SIZE // stride, SIZE // stride), f'out index {i}'
    assert net.out_channels == [shapes[i][0] for i in range(8)]


def test_default_output_is_the_head():
    arch = load_arch('atomnas_a')
    (out,) = SearchedMobileNet(arch).eval()(torch.randn(1, 3, SIZE, SIZE))
    assert out.shape[1] == arch.last_channels


@pytest.mark.parametrize('out_indices', [range(0, 8), [7, 1, 4], (4, 1), 5, [6]],
                         ids=['range', 'unsorted-list', 'unsorted-tuple', 'int', 'list'])
@pytest.mark.parametrize('name', ['atomnas_a', 'attentivenas_a0'])
def test_out_channels_in_forward_order(name, out_indices):
    """out_channels lists the channels of what forward returns, in its order,
    for any sequence type and order of out_indices (an FPN zips them)."""
    net = SearchedMobileNet(name, out_indices=out_indices).eval()
    with torch.no_grad():
        outs = net(torch.randn(1, 3, SIZE, SIZE))
    wanted = sorted([out_indices] if isinstance(out_indices, int) else out_indices)
    assert net.out_indices == tuple(wanted)
    assert [o.shape[1] for o in outs] == net.out_channels
    shapes = net.output_shape()
    assert [SIZE // o.shape[-1] for o in outs] == [shapes[i][1] for i in wanted]


@pytest.mark.parametrize('name', KINDS)
def test_every_parameter_gets_a_gradient(name):
    net = SearchedMobileNet(name, out_indices=(2, 5, 7)).train()
    # The AttentiveNAS init zeroes every block's last BN gamma (the authors'
    # zero_last_gamma), which by design stops gradients into the branch at
    # step 0; with non-zero gammas every layer must get a gradient.
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(m.weight, 0.5, 1.5)
    outs = net(torch.randn(2, 3, SIZE, SIZE))
    sum(o.mean() for o in outs).backward()
    for pname, p in net.named_parameters():
        assert p.grad is not None, pname
        assert torch.isfinite(p.grad).all(), pname
        assert p.grad.abs().sum() > 0, pname
    assert all(torch.isfinite(o).all() for o in outs)


@pytest.mark.parametrize('frozen', [0, 1, 4, 7])
@pytest.mark.parametrize('name', KINDS)
def test_frozen_stages(name, frozen):
    net = SearchedMobileNet(name, frozen_stages=frozen)
    net.init_weights()
    net.train()  # must not unfreeze
    frozen_modules = [net.stem] + [m for i in range(frozen) for m in net._stage_modules(i)]
    assert check_norm_state(frozen_modules, False)
    assert all(not p.requires_grad for m in frozen_modules for p in m.parameters())
    trainable = [m for i in range(frozen, net.num_stages) for m in net._stage_modules(i)]
    trainable.append(net.head)
    assert check_norm_state(trainable, True)
    assert all(p.requires_grad for m in trainable for p in m.parameters())
    net(torch.randn(2, 3, SIZE, SIZE))[0].mean().backward()
    assert all(p.grad is None for m in frozen_modules for p in m.parameters())


@pytest.mark.parametrize('name', KINDS)
def test_norm_eval_keeps_bn_in_eval_mode(name):
    net = SearchedMobileNet(name, norm_eval=True)
    net.init_weights()
    net.train()
    assert check_norm_state([net], False)
    assert net.training
    net = SearchedMobileNet(name).train()
    assert check_norm_state([net], True)


@pytest.mark.parametrize('kwargs,error,match', [
    (dict(out_indices=(8,)), ValueError, r'out_indices.*8'),
    (dict(out_indices=(-1,)), ValueError, r'out_indices.*-1'),
    (dict(out_indices=(1, 1)), ValueError, r'out_indices.*repeated'),
    (dict(out_indices='12'), TypeError, r'out_indices'),
    (dict(out_indices=(1.0,)), TypeError, r'out_indices'),
    (dict(frozen_stages=9), ValueError, r'frozen_stages.*9'),
    (dict(frozen_stages=-2), ValueError, r'frozen_stages.*-2'),
    (dict(norm_cfg=dict(type='LN')), ValueError, r'norm_cfg\.type.*LN'),
    (dict(norm_cfg=dict(type='NoSuchNorm')), ValueError, r'norm_cfg\.type.*NoSuchNorm'),
    (dict(norm_cfg=dict(momentum=0.1)), ValueError, r'norm_cfg'),
    (dict(norm_cfg=None), ValueError, r'norm_cfg'),
    (dict(norm_cfg=dict(type='GN', num_groups=2)), ValueError, r'norm_cfg.*channels'),
    (dict(norm_cfg=dict(type='GN', num_groups=1), bn_eps=1e-3), ValueError, r'bn_eps'),
    (dict(norm_cfg=dict(type='BN', momentum=0.2), bn_momentum=0.1), ValueError,
     r'bn_momentum.*norm_cfg\.momentum'),
    (dict(act_cfg=dict(type='HSwish')), ValueError, r'act_cfg.*ReLU'),
    (dict(act_cfg=dict(type='ReLU', negative_slope=0.1)), ValueError, r'act_cfg'),
    (dict(drop_path_rate=0.1), ValueError, r'drop_path_rate'),
    (dict(init_cfg=dict(type='NoSuchInit')), ValueError, r'init_cfg\.type.*NoSuchInit'),
    (dict(init_cfg=[dict(type='Kaiming'), dict(layer='Conv2d')]), ValueError, r'init_cfg\[1\]'),
    (dict(init_cfg=dict(type='Pretrained')), ValueError, r'init_cfg\.checkpoint'),
    (dict(init_cfg=dict(type='Pretrained', checkpoint='x.pth', strict=True)), ValueError,
     r'init_cfg.*strict'),
    (dict(init_cfg='x.pth'), ValueError, r'init_cfg'),
], ids=lambda v: None if not isinstance(v, dict) else '-'.join(f'{k}' for k in v))
def test_bad_arguments_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        SearchedMobileNet('atomnas_a', **kwargs)


@pytest.mark.parametrize('name,act', [('atomnas_a', 'ReLU'), ('atomnas_c_plus', 'Swish'),
                                      ('attentivenas_a0', 'SiLU')])
def test_act_cfg_restating_the_arch_is_accepted(name, act):
    ref = SearchedMobileNet(name)
    net = SearchedMobileNet(name, act_cfg=dict(type=act, inplace=True))
    assert str(net) == str(ref)
    with pytest.raises(ValueError, match='act_cfg'):
        SearchedMobileNet(name, act_cfg=dict(type='ReLU6'))


def norm_layers(net, kind=(_BatchNorm, nn.GroupNorm)):
    return [m for m in net.modules() if isinstance(m, kind)]


@pytest.mark.parametrize('name', KINDS)
def test_norm_cfg_is_honoured(name):
    family_bn = (0.1, 1e-5) if name.startswith('attentive') else (0.01, 1e-3)
    net = SearchedMobileNet(name)
    assert all(type(m) is nn.BatchNorm2d and (m.momentum, m.eps) == family_bn
               for m in norm_layers(net))
    net = SearchedMobileNet(name, norm_cfg=dict(type='BN', momentum=0.2, eps=1e-4))
    assert all((m.momentum, m.eps) == (0.2, 1e-4) for m in norm_layers(net))
    net = SearchedMobileNet(name, bn_momentum=0.3)
    assert all((m.momentum, m.eps) == (0.3, family_bn[1]) for m in norm_layers(net))
    net = SearchedMobileNet(name, norm_cfg=dict(type='SyncBN'))
    assert all(isinstance(m, nn.SyncBatchNorm) and (m.momentum, m.eps) == family_bn
               for m in norm_layers(net))
    net = SearchedMobileNet(name, norm_cfg=dict(type='BN', requires_grad=False))
    assert not any(p.requires_grad for m in norm_layers(net) for p in m.parameters())
    assert all(p.requires_grad for n, p in net.named_parameters() if 'conv' in n)
    # GN as mmpretrain's tests build it (AtomNAS widths are arbitrary atom
    # counts: one group; AttentiveNAS widths are multiples of 8).
    groups = 2 if name.startswith('attentive') else 1
    net = SearchedMobileNet(name, out_indices=range(8),
                            norm_cfg=dict(type='GN', num_groups=groups, requires_grad=True))
    norms = norm_layers(net)
    assert norms and all(isinstance(m, nn.GroupNorm) and m.num_groups == groups for m in norms)
    outs = net.train()(torch.randn(1, 3, SIZE, SIZE))
    assert [o.shape[1] for o in outs] == net.out_channels


@pytest.mark.parametrize('name', KINDS)
def test_deterministic(name):
    torch.manual_seed(0)
    a = SearchedMobileNet(name, out_indices=(3, 7))
    torch.manual_seed(0)
    b = SearchedMobileNet(name, out_indices=(3, 7))
    for (k, v), w in zip(a.state_dict().items(), b.state_dict().values()):
        torch.testing.assert_close(v, w, rtol=0, atol=0, msg=k)
    x = torch.randn(2, 3, SIZE, SIZE)
    a.eval(), b.eval()
    with torch.no_grad():
        for p, q in zip(a(x), b(x)):
            torch.testing.assert_close(p, q, rtol=0, atol=0)
        for p, q in zip(a(x), a(x)):
            torch.testing.assert_close(p, q, rtol=0, atol=0)


@pytest.mark.parametrize('name', KINDS)
def test_with_cp_same_outputs_gradients_and_stats(name):
    """Gradient checkpointing per block (mmpretrain's with_cp): same outputs,
    gradients and BN running statistics (the recomputation does not update
    them twice), with drop-path where the arch has it."""
    kwargs = dict(out_indices=(2, 7))
    if name.startswith('attentive'):
        kwargs['drop_path_rate'] = 0.2
    net = SearchedMobileNet(name, **kwargs)
    cp_net = SearchedMobileNet(name, with_cp=True, **kwargs)
    cp_net.load_state_dict(net.state_dict())
    assert cp_net.with_cp and not net.with_cp
    calls = []
    block = next(m for m in cp_net.blocks if is_block(m))
    block.register_forward_pre_hook(lambda *_: calls.append(1))
    x = torch.randn(2, 3, SIZE, SIZE)
    results = []
    for m in (net.train(), cp_net.train()):
        torch.manual_seed(1)  # same drop-path masks
        outs = m(x)
        sum((o ** 2).mean() for o in outs).backward()
        results.append((outs, {n: p.grad for n, p in m.named_parameters()}, m.state_dict()))
    assert len(calls) == 2  # forward + recomputation: the checkpoint ran
    (o1, g1, s1), (o2, g2, s2) = results
    for a, b in zip(o1, o2):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    for k in g1:
        torch.testing.assert_close(g1[k], g2[k], rtol=1e-5, atol=1e-7, msg=k)
    for k in s1:
        torch.testing.assert_close(s1[k], s2[k], rtol=0, atol=0, msg=k)
    cp_net.eval()
    with torch.no_grad():  # no checkpointing without autograd
        cp_net(x)


def test_deployed_blocks_are_the_plain_blocks():
    """The static backbone never runs the supernet's training shortcuts."""
    net = SearchedMobileNet('atomnas_a')
    blocks = [m for m in net.modules() if isinstance(m, AtomicBlock)]
    assert blocks and all(type(m) is AtomicBlock for m in blocks)
    copy.deepcopy(net)  # plain modules: copyable, as mmengine's EMA needs
