# Fine-tuning a searched ImageNet classifier on a fine-grained dataset with
# the AttentiveNAS recipe (paper appendix G; docs/downstream.md#transfer): the
# whole net is
# fine-tuned for 150 epochs, batch 64, SGD momentum 0.9, label smoothing 0.1,
# dropout 0.5 before the new classifier. The paper does not give the lr
# schedule; cosine to 0 (per iteration) is the one of Kornblith et al. 2019,
# whose protocol the paper follows. lr and weight decay are chosen per
# dataset on a 20 % hold-out of train by tools/transfer_sweep.py; the values
# below are only its grid's centre.
#
# Per-net configs set the arch, the head widths (nas_backbones.downstream.
# transfer.cls_head_dims), the checkpoint and the arch's resolution.
_base_ = ['../../_base_/default_runtime.py']

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='SearchedMobileNet',
        arch=None,
        # Weights-only, strict load of the exported ImageNet weights; a wrong
        # prefix or arch fails naming the expected keys.
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='NASClsHead',
        num_classes=None,
        in_channels=None,
        mid_channels=0,
        dropout=0.5,
        act='swish',
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, loss_weight=1.0),
        topk=(1, )))

train_cfg = dict(by_epoch=True, max_epochs=150, val_interval=10)
val_cfg = dict()
test_cfg = dict()

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    # No decay on BN and biases, as the AttentiveNAS ImageNet recipe
    # (docs/methods/attentivenas.md#training-recipe).
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=150, eta_min=0.0, by_epoch=True, begin=0, end=150,
         convert_to_iter_based=True),
]
# lr is for batch 64 on one GPU; --auto-scale-lr rescales it for others.
auto_scale_lr = dict(base_batch_size=64)

default_hooks = dict(
    logger=dict(interval=50),
    # Top-1 is reported at the last epoch (val = the test split here, so no
    # best-checkpoint selection on it).
    checkpoint=dict(interval=10, max_keep_ckpts=2))
