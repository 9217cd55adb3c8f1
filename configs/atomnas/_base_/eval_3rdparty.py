# The authors' evaluation of the released AtomNAS nets, for weights converted
# by tools/model_converters/atomnas_to_nas_backbones.py (--calib-config
# THIS_CONFIG). From meijieru/AtomNAS val.py with apps/eval/eval_shrink.yml
# (A/B/C) / apps/eval/eval_se.yml (+ variants) on apps/mobilenet/
# default_mnas_scheduler.yml (data_transforms: imagenet1k_mnas_bicubic,
# utils/dataflow.py):
#   test:  the EMA weights; TF-style centre crop of 224 / (224 + 32) of the
#          short side, bicubic resize to 224 (utils/transforms.py
#          CenterCropPadding + Resize; mmpretrain's EfficientNetCenterCrop).
#   BN:    statistics recalibrated (utils/common.py bn_calibration: cumulative
#          average) on 256 batches of 512 training images per GPU
#          (RandomResizedCropPadding 224, bicubic, min object covered 0.1,
#          flip; mmpretrain's EfficientNetRandomCrop). The converter does it
#          once, on `calib_dataloader`, and stores the statistics.
# The paper's Table 3 quotes A/B/C with recalibration (74.6 / 75.5 / 75.9;
# without it 73.2 / 73.8 / 74.7). The *_32xb128_in1k.py configs retrain a
# net from scratch instead.
_base_ = [
    '../../_base_/models/atomnas.py',
    '../../_base_/datasets/imagenet_bs128.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)),
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        num_classes=1000,
        # utils/dataflow.py: mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225] (x 255).
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True))

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='EfficientNetCenterCrop', crop_size=224, crop_padding=32, interpolation='bicubic',
         backend='pillow'),
    dict(type='PackInputs'),
]
val_dataloader = dict(batch_size=128, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_cfg = dict()
test_cfg = dict()

calib_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='EfficientNetRandomCrop', scale=224, min_covered=0.1, crop_padding=32,
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# Read by the converter (--calib-config), not by tools/test.py.
calib_dataloader = dict(
    batch_size=512,
    num_workers=8,
    dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                 pipeline=calib_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
train_dataloader = None
