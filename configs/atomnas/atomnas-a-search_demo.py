# AtomNAS end to end on the embedded demo set (Fashion-MNIST in ImageNet
# layout, 64x64, 10 classes), on CPU in a few minutes, no other argument:
#   python tools/data/build_imagenet_demo.py --out data/imagenet_demo
#   python tools/train.py configs/atomnas/atomnas-a-search_demo.py
# The log shows, after every epoch, AtomShrinkHook removing dead atoms and the
# FLOPs / params / atoms of the live net (analytic, at 64x64 and 10 classes);
# the run ends with AtomNASExportHook writing
# work_dirs/atomnas-a-search_demo/export/atomnas_demo_searched.{yml,pth}, whose
# FLOPs `python tools/analysis/count_flops.py <that .yml>` prints identically.
# Retrain the result with configs/atomnas/atomnas-exported_demo.py.
#
# Same components as atomnas-a-search_8xb256_in1k.py; what differs is sized for
# 130 iterations (~2 minutes) on a 2-core CPU, and says why:
_base_ = [
    '../_base_/datasets/imagenet_demo.py',
    '../_base_/default_runtime.py',
    './_base_/atomnas_search.py',
]
model = dict(
    supernet=dict(
        stem_channels=16,
        # A reduced supernet (t, c, n, s): about half the widths and one or two
        # searchable blocks per stage instead of four (same t = 6 and 3/5/7
        # branches), so that a step takes well under a second on two cores.
        # Seven stages of distinct widths, as the real space (SearchedMobileNet's
        # out_indices follow them).
        setting=[(1, 8, 1, 1), (6, 16, 1, 2), (6, 24, 2, 2), (6, 40, 2, 2), (6, 48, 1, 1),
                 (6, 96, 1, 2), (6, 160, 1, 1)],
        last_channels=640,
        num_classes=10,
        resolution=64,  # costs and FLOPs at the demo's input size
        # BN momentum 0.1 (not 0.01): running statistics must follow a run
        # of 130 iterations.
        bn_momentum=0.1,
    ),
    # lambda ~30x the published one: atoms must die within a few epochs, not
    # hundreds (10x more and every alpha collapses before the net learns).
    l1_lambda=5e-3,
    data_preprocessor=dict(num_classes=10),
    # oneDNN on CPU: channels-last steps are faster (1.4x here, 2-3x at 224).
    channels_last=True,
)
# RMSProp-TF as the authors' code; lr 0.016 x batch / 256, x2 for a short run.
optim_wrapper = dict(optimizer=dict(lr=0.016 * 32 / 256 * 2))
# The authors' schedule; no warm-up here because the authors warm up only
# when the lr exceeds the base lr 0.016 (utils/optim.py L257), which it does
# not at batch 32.
param_scheduler = dict(type='WarmupExpDecayLR', by_epoch=True, convert_to_iter_based=True,
                       warmup_epochs=5, start_factor=1.0, decay_epochs=2.4, gamma=0.97)
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=1)
custom_hooks = [
    dict(type='L1WarmupHook', warmup_epochs=1),
    # The published EMA (0.9999 at batch 4096, with the authors' warm-up
    # min(decay, (1 + n) / (10 + n))): over 130 steps the warm-up term rules,
    # so the EMA follows the weights with a lag of ~10 % of the run.
    dict(type='AtomNASEMAHook', decay=0.9999, ref_batch_size=4096),
    # Threshold 1e-2 (not 1e-3): with few, large steps alpha hovers further
    # from zero; 0.1 MFLOPs of dead atoms is enough to shrink the small net.
    dict(type='AtomShrinkHook', threshold=1e-2, min_flops_delta=1e5, interval=1,
         recalib_batches=4),
    # BN calibration before every validation, 10 batches as the authors.
    dict(type='BNCalibrationHook', num_batches=10),
    dict(type='AtomNASExportHook', name='atomnas_demo_searched'),
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=1, max_keep_ckpts=2))
