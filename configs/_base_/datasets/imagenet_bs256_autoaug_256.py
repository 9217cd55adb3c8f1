# ImageNet-1k at 256 px (AttentiveNAS-A4, A5), 256 images per GPU: the 224 px base
# (imagenet_bs256_autoaug_224.py: bicubic random-resized crops, flip,
# AutoAugment; docs/methods/attentivenas.md#training-recipe) with the crops
# at 256 and eval resizing the short side to ceil(256 / 0.875) = 293.
# One file per resolution because a _base_ cannot read its child's resolution.
_base_ = ['./imagenet_bs256_autoaug_224.py']
from nas_backbones.engine.config_edit import with_fields

img_size = 256
train_pipeline = with_fields(_base_.train_pipeline, RandomResizedCrop=dict(scale=img_size))
test_pipeline = with_fields(_base_.test_pipeline, ResizeEdge=dict(scale=293),
                            CenterCrop=dict(crop_size=img_size))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
