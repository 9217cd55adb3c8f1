# Claim 2: the net a search exported, trained from scratch on the same data for
# the same epochs and batch, with the retrain recipe of
# configs/atomnas/atomnas-exported_demo.py (inherited as it is). run.py sets
# model.backbone.arch to each seed's exported arch file.
_base_ = ['../../atomnas/atomnas-exported_demo.py']
from nas_backbones.engine.config_edit import stretched, with_fields

data_root = 'data/reproduce_cpu'
img_size = 32
batch_size = 64
max_epochs = 3

train_dataloader = dict(batch_size=batch_size, dataset=dict(
    data_root=data_root,
    pipeline=with_fields(_base_.train_dataloader.dataset.pipeline,
                         RandomResizedCrop=dict(scale=img_size))))
val_dataloader = dict(dataset=dict(
    data_root=data_root,
    pipeline=with_fields(_base_.val_dataloader.dataset.pipeline,
                         ResizeEdge=dict(scale=img_size), CenterCrop=dict(crop_size=img_size))))
test_dataloader = val_dataloader

# What run.py writes for seed 0 (claim 1's resource-aware search at the grid's
# middle lambda); the demo supernet's head conv is 640 wide, as the base says.
model = dict(backbone=dict(
    arch='work_dirs/reproduce/cpu/arms/c1_flops_lam1_s0/export/atomnas_demo_searched.yml'))
auto_scale_lr = dict(enable=True, base_batch_size=32)
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = stretched(_base_.param_scheduler, max_epochs / _base_.train_cfg.max_epochs)
