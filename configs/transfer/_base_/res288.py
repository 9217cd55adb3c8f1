# Pipelines at 288 px (the paper: "images at the arch's ImageNet resolution"):
# Inception-style random crop + flip for training; resize the short side to
# 288/0.875 = 329 and centre-crop 288 for evaluation, as the
# ImageNet evaluation of the searched nets. Per-net configs plug these in with
# `pipeline={{_base_.train_pipeline}}` (mmengine base references), since
# the dataset bases cannot know the arch.
img_size = 288
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=img_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=329, edge='short'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]
