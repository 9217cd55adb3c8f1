"""SearchedMobileNet keeps the mmpretrain backbone contract for every zoo arch."""
import pytest
import torch
from nas_conftest import ZOO, check_norm_state

from nas_backbones.arch import load_arch
from nas_backbones.backbones import SearchedMobileNet

# One of each kind of block: AtomNAS ReLU, AtomNAS+ (Swish + SE), AttentiveNAS.
KINDS = ['atomnas_a', 'atomnas_a_plus', 'attentivenas_a0']
SIZE = 64  # small CPU input; every arch downsamples by 32


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


@pytest.mark.parametrize('name', KINDS)
def test_every_parameter_gets_a_gradient(name):
    net = SearchedMobileNet(name, out_indices=(2, 5, 7)).train()
    outs = net(torch.randn(2, 3, SIZE, SIZE))
    sum(o.mean() for o in outs).backward()
    for pname, p in net.named_parameters():
        assert p.grad is not None, pname
        assert torch.isfinite(p.grad).all(), pname
    assert all(torch.isfinite(o).all() for o in outs)


@pytest.mark.parametrize('frozen', [0, 1, 4, 7])
@pytest.mark.parametrize('name', KINDS)
def test_frozen_stages(name, frozen):
    net = SearchedMobileNet(name, frozen_stages=frozen)
    net.train()  # must not unfreeze
    frozen_modules = [net.stem] + [m for i in range(frozen) for m in net._stage_modules(i)]
    assert check_norm_state(frozen_modules, False)
    assert all(not p.requires_grad for m in frozen_modules for p in m.parameters())
    trainable = [m for i in range(frozen, net.num_stages) for m in net._stage_modules(i)]
    trainable.append(net.head)
    assert check_norm_state(trainable, True)
    assert all(p.requires_grad for m in trainable for p in m.parameters())


def test_norm_eval_keeps_bn_in_eval_mode():
    net = SearchedMobileNet('atomnas_a', norm_eval=True)
    net.train()
    assert check_norm_state([net], False)
    assert net.training


@pytest.mark.parametrize('kwargs,match', [
    (dict(out_indices=(8,)), 'out_indices.*8'),
    (dict(out_indices=(-1,)), 'out_indices.*-1'),
    (dict(frozen_stages=9), 'frozen_stages.*9'),
    (dict(frozen_stages=-2), 'frozen_stages.*-2'),
], ids=['out8', 'out-1', 'frozen9', 'frozen-2'])
def test_bad_arguments_name_the_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SearchedMobileNet('atomnas_a', **kwargs)


def test_pretrained_with_wrong_prefix_names_expected_keys(tmp_path):
    source = SearchedMobileNet('atomnas_a')
    path = tmp_path / 'weights.pth'
    torch.save({'state_dict': {f'model.{k}': v for k, v in source.state_dict().items()}}, path)
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                                       prefix='backbone.'))
    with pytest.raises(ValueError, match=r"backbone\.stem") as info:
        net.init_weights()
    assert 'model.' in str(info.value)  # says what the file has


def test_pretrained_with_right_prefix_loads(tmp_path):
    source = SearchedMobileNet('atomnas_a')
    path = tmp_path / 'weights.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in source.state_dict().items()}}, path)
    net = SearchedMobileNet('atomnas_a', init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    net.init_weights()
    for key, value in source.state_dict().items():
        torch.testing.assert_close(net.state_dict()[key], value)
