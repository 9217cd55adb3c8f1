# Runtime shared by every nas_backbones config (mmpretrain's default_runtime,
# scoped to nas_backbones).
# 'nas_backbones' registries are children of mmpretrain's, so mmpretrain's parts
# (ImageClassifier, ImageNet, Accuracy, ...) resolve unscoped as well.
default_scope = 'nas_backbones'
custom_imports = dict(imports=['nas_backbones'], allow_failed_imports=False)
# NASRunner = mmengine's Runner that reads its own training checkpoints
# (message hub, numpy scalars) under torch's weights_only default
# (nas_backbones/engine/runner.py). Scoped: mmengine looks the runner up before
# any default scope is set, so mmpretrain's and mmdet's tools/train.py find it too.
runner_type = 'nas_backbones.NASRunner'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # max_keep_ckpts keeps long ImageNet runs from filling the disk.
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
)

env_cfg = dict(
    cudnn_benchmark=True,  # static nets with fixed input size: let cuDNN pick kernels
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

log_processor = dict(window_size=10, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
