# AttentiveNAS-A6 (CVPR 2021) trained as a standalone net on ImageNet with the
# published recipe (docs/methods/attentivenas.md#training-recipe): SGD nesterov,
# total batch 2048 (8 GPUs x 256),
# lr 0.8, 5-epoch linear warm-up then cosine to 0 over 360 epochs, wd 1e-5
# (not on BN/biases), grad clip 1.0, label smoothing 0.1, AutoAugment,
# dropout 0.2 and the max subnet's drop-connect 0.2 on the last two stages,
# at A6's resolution 288. The published A6 is a subnet of the
# supernet (configs/attentivenas/attentivenas-bestup3-loss_64xb32_in1k.py);
# its published top-1 is that subnet with the authors' eval protocol, which
# attentivenas-a6_3rdparty_in1k.py applies (use it for subnets exported from
# a supernet too). This config retrains A6 from scratch and evaluates it
# at its own resolution.
# Arch: nas_backbones/arch/zoo/attentivenas_a6.yml.
_base_ = [
    '../_base_/models/attentivenas.py',
    '../_base_/datasets/imagenet_bs128.py',
    '../_base_/schedules/attentivenas_sgd_cosine_bs2048.py',
    '../_base_/default_runtime.py',
]

img_size = 288
model = dict(
    backbone=dict(arch='attentivenas_a6', drop_path_rate=0.2),
    # in_channels = 6 x width[7], mid_channels = width[8]
    head=dict(in_channels=6 * 224, mid_channels=1984, dropout=0.2))

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
# Eval: resize the short side to ceil(288 / 0.875) = 330, center-crop 288.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=330, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=256, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=256, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
