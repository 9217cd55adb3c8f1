# Pipelines at 224 px (the paper: "images at the arch's ImageNet resolution"):
# Inception-style random crop + flip for training; resize the short side to
# 224/0.875 = 256 and centre-crop 224 for evaluation, as the
# ImageNet evaluation of the searched nets. Per-net configs plug these in with
# `pipeline={{_base_.train_pipeline}}` (mmengine base references), since
# the dataset bases cannot know the arch.
img_size = 224
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=img_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]
