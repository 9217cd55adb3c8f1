# AtomNAS-B+ (ICLR 2020): AtomNAS-B with Swish and SE 0.5 in every block,
# retrained from scratch on ImageNet with the recipe of the authors' code
# (apps/searched/atomnas_b/atomnas_b+.yml): that of atomnas-b_32xb128_in1k.py
# (dropout 0.28), 250 epochs, and BN calibration before every evaluation
# (10 training batches of 512 per GPU on a copy of the EMA net).
# Arch: nas_backbones/arch/zoo/atomnas_b_plus.yml.
_base_ = ['./atomnas-b_32xb128_in1k.py']

model = dict(backbone=dict(arch='atomnas_b_plus'), head=dict(dropout=0.28))
train_cfg = dict(max_epochs=250)
custom_hooks = [
    dict(type='AtomNASEMAHook', decay=0.9999, ref_batch_size=4096),
    dict(type='BNCalibrationHook', num_batches=10, batch_size=512),
]
