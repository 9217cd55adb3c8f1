# AtomNAS-A (ICLR 2020) retrained from scratch on ImageNet with the published
# recipe (SPEC §2): RMSProp-TF, total batch 4096 (32 GPUs x 128), lr 0.256,
# x0.97 every 2.4 epochs, EMA 0.9999, label smoothing 0.1, wd 1e-5, dropout
# 0.2, 350 epochs. Arch: nas_backbones/arch/zoo/atomnas_a.yml.
_base_ = [
    '../_base_/models/atomnas.py',
    '../_base_/datasets/imagenet_bs128.py',
    '../_base_/schedules/atomnas_rmsprop_bs4096.py',
    '../_base_/default_runtime.py',
]

model = dict(backbone=dict(arch='atomnas_a'), head=dict(dropout=0.2))
