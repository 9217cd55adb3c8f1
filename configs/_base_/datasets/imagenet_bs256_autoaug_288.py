# ImageNet-1k at 288 px (AttentiveNAS-A6), 256 images per GPU: the 224 px base
# (imagenet_bs256_autoaug_224.py: bicubic random-resized crops, flip,
# AutoAugment; docs/methods/attentivenas.md#training-recipe) with the crops
# at 288 and eval resizing the short side to ceil(288 / 0.875) = 330.
# One file per resolution because a _base_ cannot read its child's resolution.
_base_ = ['./imagenet_bs256_autoaug_224.py']
from nas_backbones.engine.config_edit import with_fields

img_size = 288
train_pipeline = with_fields(_base_.train_pipeline, RandomResizedCrop=dict(scale=img_size))
test_pipeline = with_fields(_base_.test_pipeline, ResizeEdge=dict(scale=330),
                            CenterCrop=dict(crop_size=img_size))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
