# AttentiveNAS-A1 (CVPR 2021) retrained from scratch as a standalone net on
# ImageNet at its resolution 224, with the published recipe
# (docs/methods/attentivenas.md#training-recipe): SGD nesterov, total batch
# 2048 (8 GPUs x 256), lr 0.8, 5-epoch linear warm-up then cosine to 0 over
# 360 epochs, wd 1e-5 (not on BN/biases), grad clip 1.0, label smoothing 0.1,
# AutoAugment, dropout 0.2 and the max subnet's drop-connect 0.2 on the last
# two stages. The published A1 top-1 is the supernet's subnet
# (attentivenas-bestup3-loss_64xb32_in1k.py) under the authors' eval protocol,
# which attentivenas-a1_3rdparty_in1k.py applies (use it for subnets exported
# from a supernet too). The head's widths follow from the arch.
# Arch: nas_backbones/arch/zoo/attentivenas_a1.yml.
_base_ = [
    '../_base_/models/attentivenas.py',
    '../_base_/datasets/imagenet_bs256_autoaug_224.py',
    '../_base_/schedules/attentivenas_sgd_cosine_bs2048.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(arch='attentivenas_a1', drop_path_rate=0.2),
    head=dict(arch='attentivenas_a1', dropout=0.2))
