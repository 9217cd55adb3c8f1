# CPU demo settings shared by the three *_demo_* configs: the fine-tuning
# recipe of searched-cls_finetune.py on the tiny fixtures of
#   python tools/data/build_finegrained_demo.py --out data/finegrained_demo --dataset all
# (5 classes x 6 real images each, 64 px). What is smaller: the images (64 px
# instead of the arch's 192), the batch (8), the epochs (4). The backbone
# starts from scratch unless a checkpoint is given, e.g.
#   --cfg-options model.backbone.init_cfg._delete_=True \
#       model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
# (or tools/benchmark_transfer.py --arch attentivenas_a0 --checkpoint CKPT
# --resolution 0); from scratch, top-1 shows that the pipeline runs, not
# transfer accuracy (configs/transfer/README.md).
_base_ = './searched-cls_finetune.py'

img_size = 64
train_pipeline = [
    dict(type='LoadImageFromFile'),
    # Milder than ImageNet's 0.08-1: the fixture objects fill the image.
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

# AttentiveNAS-A0, the smallest published net; head widths from
# nas_backbones.downstream.transfer.cls_head_dims('attentivenas_a0').
model = dict(
    backbone=dict(arch='attentivenas_a0', init_cfg=None),
    head=dict(in_channels=1296, mid_channels=1792))

train_cfg = dict(by_epoch=True, max_epochs=4, val_interval=4)
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=4, eta_min=0.0, by_epoch=True, begin=0, end=4,
         convert_to_iter_based=True),
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=4, max_keep_ckpts=1))
env_cfg = dict(cudnn_benchmark=False)
