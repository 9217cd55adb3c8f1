"""init_cfg Pretrained through the downstream configs: exported weights load,
and a wrong prefix or arch fails with a message naming the expected keys."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope


CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
DET = CONFIGS / 'mask_rcnn' / 'mask-rcnn_atomnas-a_fpn_23e_coco.py'
CLS = CONFIGS / 'transfer' / 'attentivenas-a1_1xb64_flowers102.py'


def build_detector(checkpoint):
    from mmdet.registry import MODELS
    cfg = Config.fromfile(DET)
    cfg.model.backbone.init_cfg.checkpoint = str(checkpoint)
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(cfg.model)


def build_classifier(checkpoint):
    from nas_backbones.registry import MODELS
    cfg = Config.fromfile(CLS)
    cfg.model.backbone.init_cfg.checkpoint = str(checkpoint)
    cfg.model.head.init_cfg.checkpoint = str(checkpoint)
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        return MODELS.build(cfg.model)


def test_wrong_prefix_names_expected_keys(exported):
    model = build_detector(exported('atomnas_a', prefix='model.backbone.'))
    with pytest.raises(ValueError, match=r"no key starts with prefix 'backbone\.'") as err:
        model.init_weights()
    message = str(err.value)
    assert "Expected keys like ['backbone.stem." in message
    assert "'model.backbone." in message  # what the file has instead


def test_other_arch_names_missing_keys(exported):
    model = build_detector(exported('atomnas_b'))
    with pytest.raises(ValueError, match='does not fit the model') as err:
        model.init_weights()
    assert 'missing keys' in str(err.value) or 'shape mismatches' in str(err.value)


def test_transfer_loads_backbone_and_prelogits_keeps_new_fc(exported):
    ckpt = exported('attentivenas_a1')
    model = build_classifier(ckpt)
    fresh_fc = model.head.fc.weight.detach().clone()
    model.init_weights()
    state = torch.load(ckpt, weights_only=True)['state_dict']
    for k, v in model.backbone.state_dict().items():
        torch.testing.assert_close(v, state['backbone.' + k])
    torch.testing.assert_close(model.head.mid_fc[0].weight, state['head.mid_fc.0.weight'])
    assert model.head.fc.weight.shape == (102, 1984)
    torch.testing.assert_close(model.head.fc.weight, fresh_fc)


def test_transfer_wrong_prefix_fails(exported):
    model = build_classifier(exported('attentivenas_a1', prefix='module.'))
    with pytest.raises(ValueError, match=r"Expected keys like \['backbone\.stem"):
        model.init_weights()
