# The embedded demo set: an ImageNet-layout folder of real Fashion-MNIST images
# built by `python tools/data/build_imagenet_demo.py --out data/imagenet_demo`
# (10 classes, 40 train / 10 val images per class, 64x64). Same dataset class
# and pipeline shape as imagenet_bs128.py; only data_root, the image size and
# the class count differ, so the demo config runs on real ImageNet by changing
# data_root, img_size and num_classes.
dataset_type = 'ImageNet'
data_root = 'data/imagenet_demo'
img_size = 64
num_classes = 10
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    # A milder crop than ImageNet's (0.08-1): the demo images are small and
    # the object fills them.
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=img_size, edge='short'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]

# num_workers=0: on the 2-core CPU machines the demo targets, worker processes
# only compete with the model for the cores.
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='train', pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=50,
    num_workers=0,
    dataset=dict(type=dataset_type, data_root=data_root, split='val', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
