# AttentiveNAS-A0 trained as a standalone net on the embedded demo set
# (Fashion-MNIST in ImageNet layout, 64x64, 10 classes) on CPU in a few minutes:
#   python tools/data/build_imagenet_demo.py --out data/imagenet_demo
#   python tools/train.py configs/attentivenas/attentivenas-a0_demo.py
# Evaluates top-1 and checkpoints every epoch; resumes with --resume. The
# FLOPs printed at the end are A0's published count (192x192 input, 1000
# classes: 203.39 M). On ImageNet use attentivenas-a0_8xb256_in1k.py (same
# dataset class, the published recipe and pipeline).
_base_ = [
    '../_base_/models/attentivenas.py',
    '../_base_/datasets/imagenet_demo.py',
    '../_base_/schedules/attentivenas_sgd_cosine_bs2048.py',
    '../_base_/default_runtime.py',
]

model = dict(backbone=dict(arch='attentivenas_a0'),
             head=dict(arch='attentivenas_a0', num_classes=10))

# The published recipe scaled down to a CPU demo: same optimizer (SGD
# nesterov, grad clip 1.0, no decay on BN/biases), one warm-up epoch and
# cosine to 0 over 10 epochs at batch 32. The lr rule 0.1 x (batch // 256)
# gives 0 below batch 256, so the demo sets its own.
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=9, eta_min=0.0, by_epoch=True, begin=1, end=10,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=1)
auto_scale_lr = dict(base_batch_size=32)

default_hooks = dict(logger=dict(interval=5),
                     checkpoint=dict(interval=1, max_keep_ckpts=2))
