# ImageNet-1k, 32 images per GPU, with the AttentiveNAS authors' supernet
# training augmentation (facebookresearch/AttentiveNAS data/data_transform.py
# lines 77-99, `augment: auto_augment_tf`): RandomResizedCrop to 224 with
# bicubic interpolation (their default, line 23), horizontal flip, then their
# AutoAugment 'v0' policy (pipelines/attentivenas_auto_augment.py). The
# supernet resizes each batch to the sampled subnet's resolution itself.
_base_ = ['./imagenet_bs32.py', './pipelines/attentivenas_auto_augment.py']

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='AutoAugment', policies={{_base_.attentivenas_auto_augment_v0}}),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
