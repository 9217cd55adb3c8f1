"""Export: the arch file + weights load into SearchedMobileNet (Pretrained
init_cfg) and an mmpretrain ImageClassifier with NASClsHead, whose eval
outputs equal the supernet's with that subnet."""
import random
from pathlib import Path

import pytest
import torch
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
from torch.testing import assert_close

import nas_backbones  # noqa: F401
from nas_backbones.arch import AttentiveSpace
from nas_backbones.backbones import SearchedMobileNet
from nas_backbones.export import export_attentive_subnet
from nas_backbones.supernets import AttentiveSupernet

TINY = AttentiveSpace.load(Path(__file__).resolve().parents[1] / 'test_supernets' /
                           'attentivenas_tiny_space.yml')


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    torch.manual_seed(0)
    net = AttentiveSupernet(TINY, num_classes=7)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    arch = TINY.sample(random.Random(5))
    arch_path, ckpt = export_attentive_subnet(net.eval(), arch, tmp_path_factory.mktemp('exp'),
                                              name='tiny_subnet')
    net.set_arch(arch.replace(num_classes=7))
    return net, arch.replace(num_classes=7), arch_path, ckpt


def test_weights_only_checkpoint(exported):
    _, _, _, ckpt = exported
    data = torch.load(ckpt, weights_only=True)
    assert set(data) == {'state_dict', 'meta'}
    assert all(k.startswith(('backbone.', 'head.')) for k in data['state_dict'])
    assert data['meta']['arch']['name'] == 'tiny_subnet'


def test_exported_weights_reproduce_supernet(exported):
    # A space with other strides/SE than the published one (this tiny one)
    # loads into the torch-only static classifier; SearchedMobileNet builds
    # the published space's strides/SE (next test).
    net, arch, arch_path, ckpt = exported
    static = net.to_static(arch).eval()
    state = torch.load(ckpt, weights_only=True)['state_dict']
    static.load_state_dict(state)
    x = torch.randn(2, 3, arch.resolution, arch.resolution)
    with torch.no_grad():
        assert_close(static(x), net(x), atol=1e-5, rtol=1e-5)


def test_published_space_export_loads_in_mmpretrain(tmp_path):
    from nas_backbones.arch import default_attentive_space
    space = default_attentive_space()
    torch.manual_seed(0)
    net = AttentiveSupernet(space, num_classes=4).eval()
    arch = space.min_arch()
    arch_path, ckpt = export_attentive_subnet(net, arch, tmp_path, name='a0_like')
    backbone = SearchedMobileNet(arch=str(arch_path), init_cfg=dict(
        type='Pretrained', checkpoint=str(ckpt), prefix='backbone.'))
    backbone.init_weights()
    backbone.eval()
    # As an mmpretrain config builds it (default_scope 'mmpretrain', our parts scoped).
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MMPRETRAIN_MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='nas_backbones.SearchedMobileNet', arch=str(arch_path)),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='nas_backbones.NASClsHead', num_classes=4,
                      in_channels=6 * arch.width[7], mid_channels=arch.width[8])))
    model.load_state_dict(torch.load(ckpt, weights_only=True)['state_dict'])
    model.eval()
    net.set_arch(arch.replace(num_classes=4))
    x = torch.randn(1, 3, arch.resolution, arch.resolution)
    with torch.no_grad():
        assert_close(model(x, mode='tensor'), net(x), atol=1e-5, rtol=1e-4)
        assert_close(backbone(x)[-1], model.backbone(x)[-1])
