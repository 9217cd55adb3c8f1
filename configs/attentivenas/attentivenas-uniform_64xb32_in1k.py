# AttentiveNAS supernet on ImageNet, published recipe (64 GPUs x 32, SGD nesterov
# lr 0.8, WarmupCosineLR: 5-epoch warm-up factor from 0.001x times a cosine over
# all 360 epochs, per iteration; wd 1e-5 on weights only, clip by value 1.0;
# bicubic random-resized crops + flip + the authors' AutoAugment, also for the
# BN-recalibration batches, which come from the training loader). Baseline: the
# 2 middle subnets of the sandwich are uniformly random (BigNAS-style sandwich).
#   torchrun --nproc_per_node 8 tools/train.py configs/attentivenas/attentivenas-uniform_64xb32_in1k.py --launcher pytorch
_base_ = [
    '../_base_/datasets/imagenet_bs32_autoaug-v0.py',
    '../_base_/schedules/attentivenas_sgd_cosine_bs2048.py',
    '../_base_/default_runtime.py',
    './_base_/attentivenas_supernet.py',
]
# The subnet archs change every step: cuDNN autotuning would re-benchmark often
# for little gain on the few shapes per resolution (enable it to compare).
env_cfg = dict(cudnn_benchmark=False)
# Subnets are evaluated with the authors' protocol (test_attentive_nas.py,
# data/data_transform.py with configs/eval_attentive_nas_models.yml): resize
# the short side to 256 (PIL bilinear), centre crop 224; the supernet then
# resizes the batch bicubically to the subnet's resolution
# (AttentiveSupernet.resize), after BN recalibration (SubnetBNRecalibHook).
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow', interpolation='bilinear'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
