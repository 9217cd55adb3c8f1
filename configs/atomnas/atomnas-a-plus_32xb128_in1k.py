# AtomNAS-A+ (ICLR 2020): AtomNAS-A with Swish and SE 0.5 in every block,
# retrained from scratch on ImageNet as published (SPEC §2): RMSProp-TF,
# total batch 4096 (32 GPUs x 128), lr 0.256, x0.97 every 2.4 epochs, EMA
# 0.9999, label smoothing 0.1, wd 1e-5, dropout 0.28, 250 epochs.
# Arch: nas_backbones/arch/zoo/atomnas_a_plus.yml.
_base_ = ['./atomnas-a_32xb128_in1k.py']

model = dict(backbone=dict(arch='atomnas_a_plus'), head=dict(dropout=0.28))
train_cfg = dict(max_epochs=250)
