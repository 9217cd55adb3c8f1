# AttentiveNAS supernet training (docs/methods/attentivenas.md#sandwich-rule): sandwich
# rule (max + 2 sampled + min) with in-place distillation; the sampler of the
# 2 middle subnets is set by each config. Every val epoch evaluates
# `eval_arch` after BN recalibration (BN
# momentum is 0 during supernet training, as published, so statistics are
# meaningless until recalibrated: 64 batches).
model = dict(
    type='AttentiveNAS',
    # space: unset = the published space (nas_backbones/arch/zoo/attentivenas_space.yml);
    # a partial mapping overrides it (the demo sets resolutions=[48, 64]).
    supernet=dict(num_classes=1000, dropout=0.2, drop_path_rate=0.2, bn_momentum=0.0),
    sampler=dict(type='UniformSampler'),
    num_subnets=4,
    label_smooth=0.1,
    seed=0,
    eval_arch='max',
)
# One optimizer step per batch and gradients averaged once per step; every rank
# trains the same archs (nas_backbones/algorithms/sandwich_ddp.py explains why
# mmengine's DDP wrapper does not fit a multi-forward step).
model_wrapper_cfg = dict(type='nas_backbones.SandwichDataParallel')
custom_hooks = [dict(type='SubnetBNRecalibHook', num_batches=64)]
