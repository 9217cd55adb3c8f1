# AttentiveNAS training recipe as published (docs/methods/attentivenas.md#training-recipe),
# total batch 2048:
# SGD nesterov, momentum 0.9, lr 0.1 x (batch // 256) = 0.8, weight decay
# 1e-5 on weights (0 on BN and biases), gradients clipped by value at 1.0.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1 * (2048 // 256), momentum=0.9, nesterov=True,
                   weight_decay=1e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(type='value', clip_value=1.0),
)

# The authors' WarmupCosineLR, per iteration: lr = 0.8 x w x (1 + cos(pi t / T)) / 2,
# a cosine over all 360 epochs from iteration 0, times a warm-up factor w
# rising linearly from 0.001 to 1 over the first 5 epochs
# (nas_backbones/engine/schedulers/warmup_cosine_lr.py).
param_scheduler = [
    dict(type='WarmupCosineLR', warmup_factor=0.001, warmup_length=5, by_epoch=True, begin=0,
         end=360, convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=360, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# --auto-scale-lr rescales the lr linearly from this batch.
auto_scale_lr = dict(base_batch_size=2048)
