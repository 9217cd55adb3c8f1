# AtomNAS search = supernet training with resource-aware atom selection and
# dynamic shrinkage, as published (SPEC §2), at a total batch of 2048.
# The search run's EMA net is the result (AtomNAS-A/B/C are "searched and
# trained simultaneously"); tools/export.py turns a checkpoint into an arch
# file + weights, and AtomNASExportHook does it at the end of the run.
model = dict(
    type='AtomNAS',
    supernet=dict(
        type='AtomNASSupernet',
        stem_channels=32,  # 16 for the A run
        kernel_sizes=(3, 5, 7),
        num_classes=1000,
        last_channels=1280,
        act='relu',
        resolution=224,
        dropout=0.2,
        bn_momentum=0.01,  # PyTorch convention (TF 0.99)
        bn_eps=1e-3,
    ),
    l1_lambda=1.8e-4,
    label_smoothing=0.1,
    # SPEC §2: weight decay 1e-5 as 0.5 * wd * sum w^2 over conv/linear weights
    # and the classifier bias, in the loss (the optimizer's weight_decay is 0).
    weight_decay=1e-5,
    data_preprocessor=dict(
        num_classes=1000,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True,
    ),
)

# Data-parallel as the published runs: gradients averaged every step, BN
# statistics per rank during training (their allreduce_bn: False) and averaged
# over the ranks after each recalibration (AtomNAS.recalibrate). mmengine's DDP
# wrapper, which AtomShrinkHook rebuilds after each shrink; this one also runs
# on CPU with gloo (torchrun ... --launcher pytorch without CUDA).
model_wrapper_cfg = dict(type='nas_backbones.CPUAwareDistributedDataParallel',
                         broadcast_buffers=False, find_unused_parameters=False)

# RMSProp as the published code (eps inside the sqrt, square average from 0),
# lr 0.016 x batch / 256, no warm-up.
total_batch = 2048
optim_wrapper = dict(
    optimizer=dict(type='RMSpropTF', lr=0.016 * total_batch / 256, alpha=0.9, momentum=0.9,
                   eps=1e-3, weight_decay=0.0),
)
# x0.97 every 2.4 epochs, epoch-wise (staircase): a 0.97 step at every epoch
# ceil(2.4 k); -(-24 * k // 10) is that ceiling in exact integer arithmetic.
param_scheduler = dict(type='MultiStepLR', by_epoch=True, gamma=0.97,
                       milestones=[-(-24 * k // 10) for k in range(1, 146)])

train_cfg = dict(by_epoch=True, max_epochs=350, val_interval=1)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [
    # lambda from 0 to its target, linearly per iteration over 25 epochs.
    dict(type='L1WarmupHook', warmup_epochs=25),
    # EMA of all weights (BN statistics too): 0.9999 per step at batch 4096,
    # converted to the run's batch (horizon in images kept).
    dict(type='AtomNASEMAHook', decay=0.9999, ref_batch_size=4096),
    # dead = |alpha| and |EMA alpha| < 1e-3 (EMA alone at the last epoch);
    # shrink when they free >= 1 MFLOPs; then recalibrate BN on 10 batches.
    dict(type='AtomShrinkHook', threshold=1e-3, min_flops_delta=1e6, interval=1,
         recalib_batches=10),
    dict(type='AtomNASExportHook', name='atomnas_searched'),
]

auto_scale_lr = dict(base_batch_size=total_batch)
