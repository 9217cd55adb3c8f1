# AtomNAS training recipe of the authors' code (meijieru/AtomNAS
# apps/mobilenet/default_mnas_scheduler.yml, utils/optim.py), at a total
# batch of 4096. RMSProp-TF (alpha 0.9, momentum 0.9, eps 1e-3 inside the
# sqrt, square average starting at 0) is registered by
# nas_backbones.engine.optimizers. lr 0.016 x batch / 256. Weight decay 1e-5
# acts as an L2 term on conv/linear weights and the classifier bias; BN
# parameters and other biases are not decayed.
total_batch = 4096
optim_wrapper = dict(
    optimizer=dict(type='RMSpropTF', lr=0.016 * total_batch / 256, alpha=0.9, momentum=0.9,
                   eps=1e-3, weight_decay=1e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'head.fc.bias': dict(decay_mult=1.0)}),
)

# Per iteration: linear warm-up over 5 epochs from the base lr 0.016
# (factor 256 / batch), then x0.97 every 2.4 epochs as a staircase counted
# from iteration 0, stepping inside epochs (utils/optim.py L252-295).
param_scheduler = dict(type='WarmupExpDecayLR', by_epoch=True, convert_to_iter_based=True,
                       warmup_epochs=5, start_factor=256 / total_batch, decay_epochs=2.4,
                       gamma=0.97)

# 350 epochs (default_mnas_scheduler.yml); the + variants override it with 250.
train_cfg = dict(by_epoch=True, max_epochs=350, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# EMA of all weights (BN statistics too), used for evaluation: decay 0.9999
# per step at batch 4096, converted to the run's total batch, warmed up as
# min(decay, (1 + n) / (10 + n)) at the n-th step (utils/optim.py L54-65).
custom_hooks = [dict(type='AtomNASEMAHook', decay=0.9999, ref_batch_size=4096)]

# --auto-scale-lr rescales the lr linearly from this batch.
auto_scale_lr = dict(base_batch_size=total_batch)
