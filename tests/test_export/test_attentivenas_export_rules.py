"""An exported subnet keeps the authors' block rules when SearchedMobileNet
rebuilds it from the arch file: ratio 1 in a stage offering larger ratios
keeps its 1x1 expansion (facebookresearch/AttentiveNAS
models/modules/dynamic_layers.py lines 36-43, 69) and odd strided shortcuts
pool with padding 1 (lines 350-352; at 40 px the tiny space's stage-4 input
is 5x5)."""
from pathlib import Path

import torch
from torch.testing import assert_close

import nas_backbones  # noqa: F401
from nas_backbones.arch import AttentiveSpace
from nas_backbones.backbones import SearchedMobileNet
from nas_backbones.export import export_attentive_subnet
from nas_backbones.supernets import AttentiveSupernet

TINY = AttentiveSpace.load(Path(__file__).resolve().parents[1] / 'test_supernets' /
                           'attentivenas_tiny_space.yml')


def test_ratio_one_export_loads_into_searched_mobilenet(tmp_path):
    torch.manual_seed(0)
    net = AttentiveSupernet(TINY, num_classes=5)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)  # not the zero-gamma init: a real residual
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    arch = TINY.max_arch().replace(resolution=40, expand=(1, 4, 4, 1, 4, 4, 4), num_classes=5)
    arch_path, ckpt = export_attentive_subnet(net.eval(), arch, tmp_path, name='t1')
    backbone = SearchedMobileNet(arch=str(arch_path), out_indices=(7,), init_cfg=dict(
        type='Pretrained', checkpoint=str(ckpt), prefix='backbone.'))
    backbone.init_weights()  # strict: an expansion conv missing on either side fails here
    start = sum(arch.depth[:3])
    assert isinstance(backbone.blocks[start].expand, torch.nn.Sequential)
    net.set_arch(arch)
    static = net.to_static(arch).eval()
    x = torch.randn(2, 3, 40, 40)
    with torch.no_grad():
        assert_close(static(x), net(x), atol=1e-5, rtol=1e-5)
        assert_close(backbone.eval()(x)[-1], static.backbone(x), atol=1e-5, rtol=1e-5)
