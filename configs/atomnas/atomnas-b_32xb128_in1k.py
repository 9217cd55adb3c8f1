# AtomNAS-B (ICLR 2020) retrained from scratch on ImageNet with the
# recipe of the authors' code (apps/searched/atomnas_b/atomnas_b.yml):
# RMSProp-TF, total batch 4096 (32 GPUs x 128), lr 0.256 after a 5-epoch
# warm-up from 0.016, x0.97 every 2.4 epochs, EMA 0.9999 with warm-up, label
# smoothing 0.1, wd 1e-5, dropout 0.28, mnas init, 350 epochs; evaluated
# without BN calibration (the authors' A/B/C retrain configs do not set it).
# Arch: nas_backbones/arch/zoo/atomnas_b.yml.
_base_ = [
    '../_base_/models/atomnas.py',
    '../_base_/datasets/imagenet_bs128.py',
    '../_base_/schedules/atomnas_rmsprop_bs4096.py',
    '../_base_/default_runtime.py',
]

model = dict(backbone=dict(arch='atomnas_b'), head=dict(dropout=0.28))
