# ImageNet-1k at 192 px (AttentiveNAS-A0), 256 images per GPU: the augmentation
# of the standalone AttentiveNAS retrain configs (attentivenas-a*_8xb256_in1k.py,
# docs/methods/attentivenas.md#training-recipe): bicubic random-resized crops
# to the net's resolution, flip, AutoAugment (mmpretrain's 'imagenet' policy;
# the supernet configs use the authors' 'v0' policy instead,
# imagenet_bs32_autoaug-v0.py); eval resizes the short side to
# ceil(192 / 0.875) = 220 and center-crops 192. One file per resolution
# because a _base_ cannot read its child's resolution.
_base_ = ['./imagenet_bs128.py']

img_size = 192
bgr_mean = [103.53, 116.28, 123.675]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=img_size, backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # AttentiveNAS trains with AutoAugment ('auto_augment_tf', ImageNet policy).
    dict(type='AutoAugment', policies='imagenet',
         hparams=dict(pad_val=[round(x) for x in bgr_mean], interpolation='bicubic')),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=220, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=256, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=256, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
