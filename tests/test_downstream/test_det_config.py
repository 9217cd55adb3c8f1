"""Detection taps computed from the arch, and the mmdet config printed for an
exported backbone (tools/analysis/print_det_config.py)."""
import pytest
import torch
from mmengine.config import Config

from nas_backbones.arch import zoo_names
from nas_backbones.backbones import SearchedMobileNet
from nas_backbones.downstream.det_config import (det_config_text, det_taps, detect_prefix,
                                                 output_shapes)

from nas_conftest import REPO
from tools.analysis.print_det_config import main as print_main  # repo root: tests/conftest.py

CONFIGS = str(REPO / 'configs')  # the tools' --configs (default ./configs)

ARCHS = zoo_names()


@pytest.mark.parametrize('arch', ARCHS)
def test_output_shapes_match_backbone(arch):
    backbone = SearchedMobileNet(arch)
    assert dict(enumerate(output_shapes(arch))) == backbone.output_shape()


@pytest.mark.parametrize('arch', ARCHS)
def test_fpn_taps_are_last_output_per_stride(arch):
    taps = det_taps(arch, 'fpn')
    shape = SearchedMobileNet(arch).output_shape()
    assert taps.strides == (4, 8, 16, 32)
    assert taps.channels == tuple(shape[i][0] for i in taps.out_indices)
    for i, stride in zip(taps.out_indices, taps.strides):
        assert all(s != stride for j, (_, s) in shape.items() if j > i)


@pytest.mark.parametrize('arch', ARCHS)
def test_fpn_channels_match_forward(arch):
    backbone = SearchedMobileNet(arch, out_indices=det_taps(arch, 'fpn').out_indices).eval()
    with torch.no_grad():
        outs = backbone(torch.rand(1, 3, 64, 64))
    assert [o.shape[1] for o in outs] == backbone.out_channels
    assert [64 // o.shape[-1] for o in outs] == [4, 8, 16, 32]


@pytest.mark.parametrize('prefix', ['backbone.', '', 'model.backbone.'])
def test_detect_prefix(exported, prefix):
    state = torch.load(exported('atomnas_a', prefix), weights_only=True)['state_dict']
    assert detect_prefix(state, 'atomnas_a') == prefix


def test_detect_prefix_names_expected_keys_for_other_arch(exported):
    state = torch.load(exported('atomnas_a'), weights_only=True)['state_dict']
    with pytest.raises(ValueError, match='does not fit the arch'):
        detect_prefix(state, 'attentivenas_a0')


@pytest.mark.parametrize('variant', ['fpn', 'last-map'])
def test_printed_config_builds_and_loads_weights(tmp_path, exported, variant):
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope
    arch_file = tmp_path / 'net.yml'
    SearchedMobileNet('atomnas_b').arch.save(arch_file)
    ckpt = exported('atomnas_b')
    out = tmp_path / 'det.py'
    print_main([str(arch_file), str(ckpt), '--variant', variant, '--configs', CONFIGS,
                '--out', str(out)])
    cfg = Config.fromfile(out)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    expected = torch.load(ckpt, weights_only=True)['state_dict']
    for k, v in model.backbone.state_dict().items():
        torch.testing.assert_close(v, expected['backbone.' + k])
    assert model.backbone.out_indices == det_taps('atomnas_b', variant).out_indices


def test_config_text_sync_bn_and_schedule():
    text = det_config_text('attentivenas_a1', schedule='3x', sync_bn=True, configs_dir=CONFIGS)
    assert "norm_cfg=dict(type='SyncBN')" in text and 'norm_eval=False' in text
    assert 'mask-rcnn_searched_fpn_3x_coco.py' in text
    with pytest.raises(ValueError, match='schedule'):
        det_config_text('attentivenas_a1', schedule='2x', configs_dir=CONFIGS)


def test_config_text_names_a_missing_configs_dir(tmp_path):
    # The package never guesses where a checkout is: a wrong folder fails naming it.
    with pytest.raises(FileNotFoundError, match='configs_dir'):
        det_config_text('attentivenas_a1', configs_dir=tmp_path)
