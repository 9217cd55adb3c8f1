# benchmarks/reproduce claims 1-3 at CPU scale: the AtomNAS search of
# configs/atomnas/atomnas-a-search_demo.py -- its recipe (RMSProp-TF, lr rule,
# schedule, EMA, L1 warm-up, shrink, BN-calibration and export hooks, the
# reduced demo supernet) inherited as it is -- on the reproduce set. Only sizes
# change here; benchmarks/reproduce/run.py sets model.l1_lambda (the plan's
# grid), randomness.seed and the work dir per arm. Runs alone too:
#   python tools/train.py configs/reproduce/cpu/atomnas-search.py
_base_ = ['../../atomnas/atomnas-a-search_demo.py']
from nas_backbones.engine.config_edit import with_fields

# Built by run.py (tools/data/build_imagenet_demo.py): 10 Fashion-MNIST
# classes, 1000 train / 200 val images per class, 40 px.
data_root = 'data/reproduce_cpu'
img_size = 32  # the supernet trains and is costed at 32 px (the demo: 64)
batch_size = 64
max_epochs = 3  # ~470 iterations

train_dataloader = dict(batch_size=batch_size, dataset=dict(
    data_root=data_root,
    pipeline=with_fields(_base_.train_dataloader.dataset.pipeline,
                         RandomResizedCrop=dict(scale=img_size))))
val_dataloader = dict(dataset=dict(
    data_root=data_root,
    pipeline=with_fields(_base_.val_dataloader.dataset.pipeline,
                         ResizeEdge=dict(scale=img_size), CenterCrop=dict(crop_size=img_size))))
test_dataloader = val_dataloader

model = dict(
    supernet=dict(resolution=img_size),  # atom costs and FLOPs at 32 px: 3.73 MFLOPs
    l1_lambda=5e-3,  # the demo's; run.py sweeps the plan's grid
)
# The demo's lr rule (0.016 x batch / 256 x 2) at this batch, by mmengine's
# linear scaling from the demo's batch of 32.
auto_scale_lr = dict(enable=True, base_batch_size=32)
# Validate once, after the last epoch (the number every claim reads).
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# The demo frees >= 0.1 MFLOPs of its 14.9 MFLOPs (64 px) per shrink; the same
# share of the 3.73 MFLOPs at 32 px.
custom_hooks = with_fields(_base_.custom_hooks, AtomShrinkHook=dict(min_flops_delta=2.5e4))
