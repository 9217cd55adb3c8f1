# The authors' evaluation of AttentiveNAS A0-A6, for subnets converted from
# the released supernet (tools/model_converters/attentivenas_to_nas_backbones.py
# --subnet ... --calib-config THIS_CONFIG). From facebookresearch/AttentiveNAS
# test_attentive_nas.py with configs/eval_attentive_nas_models.yml and
# data/data_transform.py:
#   test:  resize the short side to 256 (bilinear: that config sets
#          `interpolation: "bilinear"`), centre crop 224, normalise; then, in
#          the model, a bicubic resize of the batch to the subnet's resolution
#          (AttentiveNasStaticModel.forward) -- ResizeClsDataPreprocessor here.
#   BN:    statistics recalibrated on 64 batches of 256 training images
#          (random-resized crop 224, bilinear, flip, AutoAugment; resized in
#          the model likewise). The converter does this once, on
#          `calib_dataloader`, and stores the statistics in the checkpoint;
#          tools/test.py then only evaluates.
# The standalone configs (attentivenas-a*_8xb256_in1k.py) are for retraining
# a net from scratch: they crop at the net's resolution (resize to
# res / 0.875), with no in-model resize and no recalibration.
_base_ = [
    '../../_base_/models/attentivenas.py',
    '../../_base_/datasets/imagenet_bs128.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)),
    data_preprocessor=dict(
        type='ResizeClsDataPreprocessor',
        size=192,  # the arch's resolution: per-net configs set it
        mode='bicubic',
        num_classes=1000,
        # data/data_transform.py: IMAGENET_PIXEL_MEAN / _STD (RGB, 0-255).
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True))

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow', interpolation='bilinear'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
val_dataloader = dict(batch_size=128, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_cfg = dict()
test_cfg = dict()

bgr_mean = [103.53, 116.28, 123.675]
calib_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow', interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # The authors' 'auto_augment_tf' (policy v0); mmpretrain's ImageNet policy
    # is the closest registered one. Only BN statistics come from these images.
    dict(type='AutoAugment', policies='imagenet',
         hparams=dict(pad_val=[round(x) for x in bgr_mean], interpolation='bilinear')),
    dict(type='PackInputs'),
]
# Read by the converter (--calib-config), not by tools/test.py.
calib_dataloader = dict(
    batch_size=256,
    num_workers=8,
    dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                 pipeline=calib_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
train_dataloader = None
