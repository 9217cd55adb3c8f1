# The AttentiveNAS authors' AutoAugment ('auto_augment_tf', policy 'v0', the
# TPU EfficientNet ImageNet policy; facebookresearch/AttentiveNAS
# data/auto_augment_tf.py lines 317-346, op mappings lines 160-314) as an
# mmpretrain AutoAugment policy. As theirs:
# * each op's level (0-10) gets Gaussian noise of std 0.5, clipped to [0, 10];
# * ShearX/Y up to 0.3, Rotate up to 30 degrees, TranslateYRel up to 0.45 of
#   the height, each sign-flipped with probability 0.5; Color factor
#   0.1 + 0.18 x level; Solarize threshold 25.6 x level; SolarizeAdd
#   11 x level below 128; Posterize to 4 + int(0.4 x level) bits;
# * geometric ops fill with the ImageNet mean (their img_mean; BGR here, the
#   order mmpretrain loads) and draw nearest / bilinear / bicubic per call
#   (their hparams set no interpolation: _RANDOM_INTERPOLATION).
# mmpretrain rounds up where they truncate (Posterize bits: ceil; Solarize
# keeps pixels < thr, i.e. < ceil(thr)): the Posterize and Solarize ranges are
# shifted down by 1 - 1e-6 so ceil gives their int() at every level (0, 5 and
# 10 included), the limits of their level noise.
_FILL = [104, 116, 124]  # round(IMAGENET_PIXEL_MEAN), B, G, R
_V0 = [
    [('Equalize', 0.8, 1), ('ShearY', 0.8, 4)],
    [('Color', 0.4, 9), ('Equalize', 0.6, 3)],
    [('Color', 0.4, 1), ('Rotate', 0.6, 8)],
    [('Solarize', 0.8, 3), ('Equalize', 0.4, 7)],
    [('Solarize', 0.4, 2), ('Solarize', 0.6, 2)],
    [('Color', 0.2, 0), ('Equalize', 0.8, 8)],
    [('Equalize', 0.4, 8), ('SolarizeAdd', 0.8, 3)],
    [('ShearX', 0.2, 9), ('Rotate', 0.6, 8)],
    [('Color', 0.6, 1), ('Equalize', 1.0, 2)],
    [('Invert', 0.4, 9), ('Rotate', 0.6, 0)],
    [('Equalize', 1.0, 9), ('ShearY', 0.6, 3)],
    [('Color', 0.4, 7), ('Equalize', 0.6, 0)],
    [('Posterize', 0.4, 6), ('AutoContrast', 0.4, 7)],
    [('Solarize', 0.6, 8), ('Color', 0.6, 9)],
    [('Solarize', 0.2, 4), ('Rotate', 0.8, 9)],
    [('Rotate', 1.0, 7), ('TranslateYRel', 0.8, 9)],
    [('ShearX', 0.0, 0), ('Solarize', 0.8, 4)],
    [('ShearY', 0.8, 0), ('Color', 0.6, 4)],
    [('Color', 1.0, 0), ('Rotate', 0.6, 2)],
    [('Equalize', 0.8, 4), ('Equalize', 0.0, 8)],
    [('Equalize', 1.0, 4), ('AutoContrast', 0.6, 2)],
    [('ShearY', 0.4, 7), ('SolarizeAdd', 0.6, 7)],
    [('Posterize', 0.8, 2), ('Solarize', 0.6, 10)],
    [('Solarize', 0.6, 8), ('Equalize', 0.6, 1)],
    [('Color', 0.8, 6), ('Rotate', 0.4, 5)],
]
# Their op -> mmpretrain transform (and level range); geometric ops last.
_OPS = {
    'Equalize': dict(type='Equalize'),
    'AutoContrast': dict(type='AutoContrast'),
    'Invert': dict(type='Invert'),
    'Color': dict(type='ColorTransform', magnitude_range=(-0.9, 0.9), random_negative_prob=0.0),
    'Solarize': dict(type='Solarize', magnitude_range=(-1 + 1e-6, 255 + 1e-6)),
    'SolarizeAdd': dict(type='SolarizeAdd', magnitude_range=(0, 110), thr=128),
    'Posterize': dict(type='Posterize', magnitude_range=(3 + 1e-6, 7 + 1e-6)),
    'ShearX': dict(type='Shear', magnitude_range=(0, 0.3), direction='horizontal'),
    'ShearY': dict(type='Shear', magnitude_range=(0, 0.3), direction='vertical'),
    'Rotate': dict(type='Rotate', magnitude_range=(0, 30)),
    'TranslateYRel': dict(type='Translate', magnitude_range=(0, 0.45), direction='vertical'),
}
_GEOMETRIC = ('ShearX', 'ShearY', 'Rotate', 'TranslateYRel')


def _op(name, prob, level):
    op = dict(_OPS[name], prob=prob)
    if 'magnitude_range' in op:
        op.update(magnitude_level=level, magnitude_std=0.5)
    if name not in _GEOMETRIC:
        return op
    # mmcv's RandomChoice builds its members from the root registry: scope them.
    op['type'] = 'mmpretrain.' + op['type']
    return dict(type='RandomChoice', transforms=[
        [dict(op, pad_val=_FILL, interpolation=i)] for i in ('nearest', 'bilinear', 'bicubic')])


attentivenas_auto_augment_v0 = [[_op(*o) for o in sub] for sub in _V0]
del _FILL, _V0, _OPS, _GEOMETRIC, _op
