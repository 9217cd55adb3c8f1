# AtomNAS search = supernet training with resource-aware atom selection and
# dynamic shrinkage, with the recipe of the authors' code (meijieru/AtomNAS
# apps/slimming/shrink/atomnas_*.yml, train.py), at a total batch of 2048.
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
    # Weight decay 1e-5 as 0.5 * wd * sum w^2 over conv/linear weights and the
    # classifier bias, in the loss (the optimizer's weight_decay is 0;
    # docs/methods/atomnas.md#weight-decay-as-a-loss-term).
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

# RMSProp as the authors' code (eps inside the sqrt, square average from 0),
# lr 0.016 x batch / 256.
total_batch = 2048
optim_wrapper = dict(
    optimizer=dict(type='RMSpropTF', lr=0.016 * total_batch / 256, alpha=0.9, momentum=0.9,
                   eps=1e-3, weight_decay=0.0),
)
# Per iteration: linear warm-up over 5 epochs from the base lr 0.016
# (factor 256 / batch), then x0.97 every 2.4 epochs as a staircase counted
# from iteration 0, stepping inside epochs (utils/optim.py L252-295).
param_scheduler = dict(type='WarmupExpDecayLR', by_epoch=True, convert_to_iter_based=True,
                       warmup_epochs=5, start_factor=256 / total_batch, decay_epochs=2.4,
                       gamma=0.97)

train_cfg = dict(by_epoch=True, max_epochs=350, val_interval=1)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [
    # lambda from 0 to its target, linearly per iteration over 25 epochs.
    dict(type='L1WarmupHook', warmup_epochs=25),
    # EMA of all weights (BN statistics too): 0.9999 per step at batch 4096,
    # converted to the run's batch (horizon in images kept), warmed up as
    # min(decay, (1 + n) / (10 + n)) at the n-th step (utils/optim.py L54-65).
    dict(type='AtomNASEMAHook', decay=0.9999, ref_batch_size=4096),
    # Trigger: the atoms with |EMA alpha| <= 1e-3 cost >= 1 MFLOPs (or the last
    # epoch); removed: those dead in the weights and the EMA (the EMA alone at
    # the last epoch); then recalibrate BN on 10 batches.
    dict(type='AtomShrinkHook', threshold=1e-3, min_flops_delta=1e6, interval=1,
         recalib_batches=10),
    # Before every validation: BN statistics of a copy of the EMA net
    # re-estimated on training batches. The authors: 10 batches of 256 per
    # GPU on 32 GPUs (81,920 images); here 40 of 256 on 8 GPUs, the same count.
    dict(type='BNCalibrationHook', num_batches=40),
    dict(type='AtomNASExportHook', name='atomnas_searched'),
]

auto_scale_lr = dict(base_batch_size=total_batch)
