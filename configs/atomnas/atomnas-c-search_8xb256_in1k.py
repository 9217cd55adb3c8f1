# AtomNAS-C search on ImageNet: stem 32, lambda 1.0e-4, batch
# 8 x 256 = 2048, 350 epochs. Result: work_dirs/<this>/export/atomnas_c_searched.{yml,pth}
# (published AtomNAS-C: 359.86 MFLOPs, 75.9 top-1 with BN recalibration, 74.7
# without; paper Table 3).
_base_ = [
    '../_base_/datasets/imagenet_bs128.py',
    '../_base_/default_runtime.py',
    './_base_/atomnas_search.py',
]
model = dict(supernet=dict(stem_channels=32), l1_lambda=1.0e-4)
train_dataloader = dict(batch_size=256)
val_dataloader = dict(batch_size=256)
test_dataloader = val_dataloader
custom_hooks = [
    dict(type='L1WarmupHook', warmup_epochs=25),
    dict(type='AtomNASEMAHook', decay=0.9999, ref_batch_size=4096),
    dict(type='AtomShrinkHook', threshold=1e-3, min_flops_delta=1e6, interval=1,
         recalib_batches=10),
    dict(type='BNCalibrationHook', num_batches=40),
    dict(type='AtomNASExportHook', name='atomnas_c_searched'),
]
