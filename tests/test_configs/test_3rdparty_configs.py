"""The ``*_3rdparty_in1k.py`` configs evaluate converted weights with the
authors' protocols (which metafile top-1 belongs to which protocol:
test_metafiles.py).

AttentiveNAS (facebookresearch/AttentiveNAS data/data_transform.py with
configs/eval_attentive_nas_models.yml: test_scale 256, test_crop_size 224,
``interpolation: "bilinear"``; models/attentive_nas_static_model.py: bicubic
``F.interpolate`` to the subnet's resolution; test_attentive_nas.py: 64
calibration batches of ``batch_size: 256``). AtomNAS (meijieru/AtomNAS
utils/dataflow.py ``imagenet1k_mnas_bicubic``: CenterCropPadding(224, 32) +
bicubic Resize(224); RandomResizedCropPadding for calibration;
apps/eval/eval_shrink.yml: 256 steps of 512).
"""
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope
from nas_conftest import REPO

from nas_backbones.arch import load_arch
from nas_backbones.downstream.transfer import cls_head_dims
from nas_backbones.registry import MODELS

ATTENTIVE = [f'attentivenas-a{i}_3rdparty_in1k.py' for i in range(7)]
ATOMNAS = [f'atomnas-{n}_3rdparty_in1k.py' for n in ('a', 'b', 'c', 'a-plus', 'b-plus', 'c-plus')]



def build_model(cfg):
    """MODELS.build in the configs' scope, whatever scope another test left."""
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        return MODELS.build(cfg)

def load(folder: str, name: str) -> Config:
    return Config.fromfile(REPO / 'configs' / folder / name)


def types(pipeline) -> list:
    return [t.type for t in pipeline]


@pytest.mark.parametrize('name', ATTENTIVE)
def test_attentivenas_eval_is_the_authors_protocol(name):
    cfg = load('attentivenas', name)
    arch = load_arch(cfg.model.backbone.arch)
    assert cfg.model.backbone.arch == f'attentivenas_{name.split("-")[1][:2]}'
    pre = cfg.model.data_preprocessor
    assert (pre.type, pre.size, pre.mode) == ('ResizeClsDataPreprocessor', arch.resolution,
                                              'bicubic')
    head = build_model(cfg.model.head)  # widths derived from head.arch
    assert cfg.model.head.arch == cfg.model.backbone.arch
    assert dict(in_channels=head.in_channels, mid_channels=head.mid_fc[0].out_features) == \
        cls_head_dims(arch)
    test = cfg.test_dataloader.dataset.pipeline
    assert types(test) == ['LoadImageFromFile', 'ResizeEdge', 'CenterCrop', 'PackInputs']
    assert (test[1].scale, test[1].edge, test[1].interpolation) == (256, 'short', 'bilinear')
    assert test[2].crop_size == 224
    calib = cfg.calib_dataloader
    assert calib.batch_size == 256 and calib.dataset.split == 'train'
    rrc = calib.dataset.pipeline[1]
    assert (rrc.type, rrc.scale, rrc.interpolation) == ('RandomResizedCrop', 224, 'bilinear')
    assert 'AutoAugment' in types(calib.dataset.pipeline)
    assert cfg.train_dataloader is None  # nothing trains with this config


@pytest.mark.parametrize('name', ATOMNAS)
def test_atomnas_eval_is_the_authors_protocol(name):
    cfg = load('atomnas', name)
    assert cfg.model.data_preprocessor.type == 'ClsDataPreprocessor'
    crop = cfg.test_dataloader.dataset.pipeline[1]
    assert (crop.type, crop.crop_size, crop.crop_padding, crop.interpolation) == \
        ('EfficientNetCenterCrop', 224, 32, 'bicubic')
    calib = cfg.calib_dataloader
    rc = calib.dataset.pipeline[1]
    assert (rc.type, rc.scale, rc.crop_padding, rc.min_covered, rc.interpolation) == \
        ('EfficientNetRandomCrop', 224, 32, 0.1, 'bicubic')
    assert calib.batch_size == 512 and calib.dataset.split == 'train'
    assert cfg.train_dataloader is None


@pytest.mark.parametrize('folder, name', [('attentivenas', n) for n in ATTENTIVE] +
                         [('atomnas', n) for n in ATOMNAS])
def test_eval_model_builds(folder, name):
    model = build_model(load(folder, name).model)
    assert type(model.data_preprocessor).__name__ in ('ResizeClsDataPreprocessor',
                                                      'ClsDataPreprocessor')


@pytest.mark.parametrize('name', ['attentivenas-bestup3-loss_64xb32_in1k.py', 'attentivenas-search-a1_in1k.py'])
def test_supernet_subnets_are_evaluated_with_the_authors_protocol(name):
    """Subnets of a supernet trained here: resize 256 bilinear, crop 224, and
    the supernet's own bicubic resize to the subnet's resolution."""
    cfg = load('attentivenas', name)
    loaders = [cfg.val_dataloader, cfg.test_dataloader]
    if cfg.get('search_cfg'):
        loaders.append(cfg.search_cfg.dataloader)
    for loader in loaders:
        test = loader.dataset.pipeline
        assert types(test) == ['LoadImageFromFile', 'ResizeEdge', 'CenterCrop', 'PackInputs']
        assert (test[1].scale, test[1].interpolation, test[2].crop_size) == (256, 'bilinear', 224)
    import torch
    from nas_backbones.supernets.attentive_supernet import AttentiveSupernet
    x = torch.randn(1, 3, 224, 224)
    torch.testing.assert_close(AttentiveSupernet.resize(x, 192),
                               torch.nn.functional.interpolate(x, size=192, mode='bicubic'))
