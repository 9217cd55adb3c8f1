"""AtomNAS export: shrunk supernet -> arch file + weights that the static
backbone loads, with the supernet's eval outputs."""
import pytest
import torch
from mmengine.registry import DefaultScope

from nas_backbones.arch import AtomNetArch
from nas_backbones.backbones import NASClsHead, SearchedMobileNet, read_weights
from nas_backbones.estimators import count_cost
from nas_backbones.export import export_atomnas
from nas_backbones.supernets import AtomNASSupernet

TINY = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 2, 2), (6, 24, 1, 2)]


@pytest.fixture(autouse=True)
def nas_scope():
    # Heads build their losses from the default scope's registry; another
    # test may have left a different scope current.
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        yield


def shrunk_supernet(act, se_ratio):
    torch.manual_seed(0)
    net = AtomNASSupernet(setting=TINY, resolution=32, last_channels=32, num_classes=5, act=act,
                          se_ratio=se_ratio)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
    net.head.fc.weight.data.normal_(0, 1)
    g = torch.Generator().manual_seed(1)
    keep = {i: torch.rand(net.blocks[i].num_atoms, generator=g) > 0.5
            for i in net.searchable_blocks()}
    keep[2][:] = False  # a residual block becomes the identity
    net.shrink(keep)
    return net.eval()


@pytest.mark.parametrize('act,se_ratio', [('relu', 0.0), ('swish', 0.5)], ids=['plain', 'plus'])
def test_static_backbone_reproduces_supernet(tmp_path, act, se_ratio):
    net = shrunk_supernet(act, se_ratio)
    arch_path, ckpt_path = export_atomnas(net, tmp_path, 'tiny')
    arch = AtomNetArch.load(arch_path)
    assert arch == net.current_arch().replace(name='tiny')
    assert arch.blocks[2].atoms == (0, 0, 0)
    n_stages = len(arch.stages())
    backbone = SearchedMobileNet(arch_path, out_indices=(n_stages,), init_cfg=dict(
        type='Pretrained', checkpoint=str(ckpt_path), prefix='backbone.'))
    backbone.init_weights()
    head = NASClsHead(num_classes=5, in_channels=32)
    head.load_state_dict({k[len('head.'):]: v for k, v in read_weights(ckpt_path).items()
                          if k.startswith('head.')})
    backbone.eval(), head.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        feats = backbone(x)
        torch.testing.assert_close(feats[-1], net.backbone(x))
        logits = head((feats[-1].mean((2, 3)),))
        torch.testing.assert_close(logits, net(x), atol=1e-5, rtol=1e-5)


def test_weights_only_checkpoint_with_meta(tmp_path):
    net = shrunk_supernet('relu', 0.0)
    _, ckpt_path = export_atomnas(net, tmp_path, 'tiny', meta={'epoch': 3})
    ckpt = torch.load(ckpt_path, weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    assert all(k.startswith(('backbone.', 'head.')) for k in ckpt['state_dict'])
    meta = ckpt['meta']
    assert meta['mflops'] == round(count_cost(net.current_arch()).mflops, 2)
    assert meta['atoms'] == net.current_arch().num_atoms and meta['epoch'] == 3
    assert AtomNetArch.from_dict(meta['arch']).name == 'tiny'
