# AtomNAS training recipe as published (SPEC §2), at a total batch of 4096.
# RMSProp-TF (alpha 0.9, momentum 0.9, eps 1e-3 inside the sqrt, square
# average starting at 0) is registered by nas_backbones.engine.optimizers.
# lr 0.016 x batch / 256, no warm-up. Weight decay 1e-5 acts as an L2 term on
# conv/linear weights and the classifier bias; BN parameters and other
# biases are not decayed.
optim_wrapper = dict(
    optimizer=dict(type='RMSpropTF', lr=0.016 * 4096 / 256, alpha=0.9, momentum=0.9, eps=1e-3,
                   weight_decay=1e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'head.fc.bias': dict(decay_mult=1.0)}),
)

# x0.97 every 2.4 epochs, epoch-wise (staircase): lr(e) = lr0 * 0.97 ** floor(e / 2.4),
# i.e. a 0.97 step at every epoch ceil(2.4 k); -(-24 * k // 10) is that ceiling
# in exact integer arithmetic.
param_scheduler = dict(type='MultiStepLR', by_epoch=True, gamma=0.97,
                       milestones=[-(-24 * k // 10) for k in range(1, 146)])

# 350 epochs: the length of the search run that produced AtomNAS-A/B/C
# (SPEC §2); the + variants override it with 250.
train_cfg = dict(by_epoch=True, max_epochs=350, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# EMA of all weights, used for evaluation: decay 0.9999 per step at batch 4096
# (mmengine's momentum weights the new value, hence 1e-4). At another total
# batch B keep the horizon in images: momentum = 1 - 0.9999 ** (B / 4096).
custom_hooks = [dict(type='EMAHook', momentum=1e-4, priority='ABOVE_NORMAL')]

# --auto-scale-lr rescales the lr linearly from this batch.
auto_scale_lr = dict(base_batch_size=4096)
