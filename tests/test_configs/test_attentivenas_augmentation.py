"""AttentiveNAS supernet configs train (and recalibrate BN) with the authors'
augmentation: facebookresearch/AttentiveNAS data/data_transform.py
``build_imagenet_auto_augment_tf_transform`` (lines 77-99: RandomResizedCrop
224 with bicubic interpolation, line 23; horizontal flip; AutoAugment policy
'v0') selected by ``augment: "auto_augment_tf"`` in
configs/train_attentive_nas_models.yml (line 20); the policy and level
mappings are data/auto_augment_tf.py lines 160-346.
"""
import math

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

import nas_backbones  # noqa: F401
from nas_backbones.registry import TRANSFORMS
from nas_conftest import REPO

CONFIGS = REPO / 'configs' / 'attentivenas'
SUPERNET = sorted(p.name for p in CONFIGS.glob('attentivenas-*_64xb32_in1k.py')) + [
    'attentivenas-bestup3-loss_demo.py', 'attentivenas-uniform_demo.py',
    'attentivenas-flops-prior_demo.py']
SEARCH = ['attentivenas-search-a1_in1k.py', 'search_demo.py']  # accuracy fitness: BN recalibrated per arch

# auto_augment_policy_v0 (data/auto_augment_tf.py lines 320-346).
V0 = [
    [('Equalize', 0.8, 1), ('ShearY', 0.8, 4)], [('Color', 0.4, 9), ('Equalize', 0.6, 3)],
    [('Color', 0.4, 1), ('Rotate', 0.6, 8)], [('Solarize', 0.8, 3), ('Equalize', 0.4, 7)],
    [('Solarize', 0.4, 2), ('Solarize', 0.6, 2)], [('Color', 0.2, 0), ('Equalize', 0.8, 8)],
    [('Equalize', 0.4, 8), ('SolarizeAdd', 0.8, 3)], [('ShearX', 0.2, 9), ('Rotate', 0.6, 8)],
    [('Color', 0.6, 1), ('Equalize', 1.0, 2)], [('Invert', 0.4, 9), ('Rotate', 0.6, 0)],
    [('Equalize', 1.0, 9), ('ShearY', 0.6, 3)], [('Color', 0.4, 7), ('Equalize', 0.6, 0)],
    [('Posterize', 0.4, 6), ('AutoContrast', 0.4, 7)], [('Solarize', 0.6, 8), ('Color', 0.6, 9)],
    [('Solarize', 0.2, 4), ('Rotate', 0.8, 9)], [('Rotate', 1.0, 7), ('TranslateYRel', 0.8, 9)],
    [('ShearX', 0.0, 0), ('Solarize', 0.8, 4)], [('ShearY', 0.8, 0), ('Color', 0.6, 4)],
    [('Color', 1.0, 0), ('Rotate', 0.6, 2)], [('Equalize', 0.8, 4), ('Equalize', 0.0, 8)],
    [('Equalize', 1.0, 4), ('AutoContrast', 0.6, 2)], [('ShearY', 0.4, 7), ('SolarizeAdd', 0.6, 7)],
    [('Posterize', 0.8, 2), ('Solarize', 0.6, 10)], [('Solarize', 0.6, 8), ('Equalize', 0.6, 1)],
    [('Color', 0.8, 6), ('Rotate', 0.4, 5)],
]
# Their level -> argument (lines 165-198, 252-266) and our op type / direction.
THEIRS = {
    'Rotate': ('Rotate', None, lambda v: v / 10 * 30.0),
    'ShearX': ('Shear', 'horizontal', lambda v: v / 10 * 0.3),
    'ShearY': ('Shear', 'vertical', lambda v: v / 10 * 0.3),
    'TranslateYRel': ('Translate', 'vertical', lambda v: v / 10 * 0.45),
    'Color': ('ColorTransform', None, lambda v: v / 10 * 1.8 + 0.1),  # enhance factor
    'Solarize': ('Solarize', None, lambda v: int(v / 10 * 256)),
    'SolarizeAdd': ('SolarizeAdd', None, lambda v: int(v / 10 * 110)),
    'Posterize': ('Posterize', None, lambda v: int(v / 10 * 4) + 4),
    'Equalize': ('Equalize', None, None), 'AutoContrast': ('AutoContrast', None, None),
    'Invert': ('Invert', None, None),
}
GEOMETRIC = ('Rotate', 'ShearX', 'ShearY', 'TranslateYRel')
BGR_MEAN = [104, 116, 124]  # their img_mean = round(IMAGENET_PIXEL_MEAN) (lines 13, 85), as BGR


def load(name):
    return Config.fromfile(CONFIGS / name)


def check_pipeline(pipeline, crop):
    types = [t['type'] for t in pipeline]
    assert types == ['LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip', 'AutoAugment',
                     'PackInputs']
    rrc = pipeline[1]
    assert (rrc.scale, rrc.interpolation, rrc.backend) == (crop, 'bicubic', 'pillow')
    assert pipeline[2].prob == 0.5 and pipeline[2].direction == 'horizontal'


@pytest.mark.parametrize('name', SUPERNET)
def test_supernet_training_augmentation_is_the_authors(name):
    cfg = load(name)
    crop = 64 if name.endswith('_demo.py') else 224  # the demo images are 64 px
    check_pipeline(cfg.train_dataloader.dataset.pipeline, crop)
    # BN recalibration reads the training loader (no loader of its own).
    hooks = [h for h in cfg.custom_hooks if h.type == 'SubnetBNRecalibHook']
    assert hooks and hooks[0].get('dataloader') is None


@pytest.mark.parametrize('name', SEARCH)
def test_search_calibration_batches_use_the_training_augmentation(name):
    cfg = load(name)
    crop = 64 if name.endswith('_demo.py') else 224
    check_pipeline(cfg.search_cfg.calib_dataloader.dataset.pipeline, crop)


def build(cfg):
    with DefaultScope.overwrite_default_scope('nas_backbones'):  # the configs' default_scope
        return TRANSFORMS.build(cfg)


def _levels(op_cfg):
    """Our mmpretrain transforms of one op (the RandomChoice members for a
    geometric op), built, with the interpolations they draw from."""
    if op_cfg['type'] == 'RandomChoice':
        members = [build(m[0]) for m in op_cfg['transforms']]
        return members, sorted(m.interpolation for m in members)
    return [build(op_cfg)], None


def test_policy_is_the_authors_v0():
    cfg = load('attentivenas-bestup3-loss_64xb32_in1k.py')
    policy = cfg.train_dataloader.dataset.pipeline[3].policies
    assert len(policy) == len(V0)
    for sub, ref in zip(policy, V0):
        assert len(sub) == len(ref)
        for op_cfg, (name, prob, level) in zip(sub, ref):
            ours_type, direction, arg = THEIRS[name]
            members, interps = _levels(op_cfg)
            # Their geometric ops draw the resampling filter at random per call.
            assert (interps == ['bicubic', 'bilinear', 'nearest']) == (name in GEOMETRIC)
            for t in members:
                assert type(t).__name__ == ours_type and t.prob == prob
                if direction:
                    assert t.direction == direction
                if name in GEOMETRIC:
                    assert list(t.pad_val) == BGR_MEAN and t.random_negative_prob == 0.5
                if arg is None:
                    continue
                assert (t.magnitude_level, t.magnitude_std, t.total_level) == (level, 0.5, 10)
                # The argument at each level without noise equals theirs.
                for v in (level, 0.0, 2.5, 3.3, 5.0, 7.7, 9.99, 10.0):
                    t.magnitude_level, t.magnitude_std = v, 0.0
                    ours = t.random_magnitude()
                    if name == 'Color':
                        ours = 1.0 + ours  # mmcv.adjust_color(alpha=1 + magnitude)
                    if name in ('Posterize', 'Solarize'):
                        # mmpretrain: bits = ceil(magnitude); pixels < thr are kept,
                        # i.e. the integer threshold is ceil(thr). Theirs: int().
                        ours = math.ceil(ours)
                    if name == 'SolarizeAdd':
                        ours = math.floor(ours)  # uint8 cast of img + magnitude
                    assert ours == pytest.approx(arg(v)), (name, v)


def test_policy_runs_on_images():
    aug = build(load('attentivenas-bestup3-loss_demo.py').train_pipeline[3])
    rng = np.random.default_rng(0)
    np.random.seed(0)
    for _ in range(200):  # every sub-policy several times
        img = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
        out = aug({'img': img})['img']
        assert out.shape == img.shape and out.dtype == np.uint8
