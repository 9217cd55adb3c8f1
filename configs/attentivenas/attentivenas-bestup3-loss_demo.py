# AttentiveNAS end to end on the embedded demo set, on CPU in minutes:
#   python tools/data/build_imagenet_demo.py --out data/imagenet_demo
#   python tools/train.py configs/attentivenas/attentivenas-bestup3-loss_demo.py
#   python tools/search.py configs/attentivenas/search_demo.py \
#       --checkpoint work_dirs/attentivenas-bestup3-loss_demo/epoch_3.pth
#   python tools/export.py configs/attentivenas/attentivenas-bestup3-loss_demo.py \
#       --checkpoint work_dirs/attentivenas-bestup3-loss_demo/epoch_3.pth \
#       --arch work_dirs/search_demo/best_arch.yml --out work_dirs/attentivenas_demo_export
# The published space with demo resolutions (48/64 px instead of 192-288, the
# demo images are 64 px); the FLOPs-prior buckets are 5 MFLOPs wide to match.
_base_ = [
    '../_base_/datasets/imagenet_demo.py',
    '../_base_/datasets/pipelines/attentivenas_auto_augment.py',
    '../_base_/default_runtime.py',
    './_base_/attentivenas_supernet.py',
]
# The authors' supernet augmentation (as attentivenas-uniform_64xb32_in1k.py)
# on the demo's milder crop: bicubic crops, flip, their AutoAugment policy;
# the BN-recalibration batches come from this loader too.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.5, 1.0), backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='AutoAugment', policies={{_base_.attentivenas_auto_augment_v0}}),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(
    space=dict(resolutions=[48, 64]),
    # channels-last: ~1.7x faster on CPU (oneDNN), see benchmarks/RESULTS.md.
    supernet=dict(num_classes=10, channels_last=True),
    sampler=dict(_delete_=True, type='AttentiveSampler', mode='bestup', score='loss',
                 num_candidates=3, table=None, pool_size=5000, bucket_mflops=5.0),
)
custom_hooks = [dict(type='SubnetBNRecalibHook', num_batches=4)]

# The published recipe scaled down: SGD nesterov, lr 0.1 x batch / 256 x 4 (few
# epochs), the authors' warm-up x cosine per iteration (1 warm-up epoch of 3),
# wd 1e-5 on weights, clip 1.0.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(type='value', clip_value=1.0),
)
param_scheduler = [
    dict(type='WarmupCosineLR', warmup_factor=0.001, warmup_length=1, by_epoch=True, begin=0,
         end=3, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=3, val_interval=1)
val_cfg = dict()
test_cfg = dict()
env_cfg = dict(dist_cfg=dict(backend='gloo'))
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=1, max_keep_ckpts=2))
