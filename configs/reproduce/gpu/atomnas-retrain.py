# GPU scale of ../cpu/atomnas-retrain.py: the exported net retrained on the GPU-
# scale data for the same 30 epochs and batch 256; the published supernet's
# head conv is 1280 wide.
_base_ = ['../cpu/atomnas-retrain.py']
from nas_backbones.engine.config_edit import stretched, with_fields

data_root = 'data/reproduce_gpu'
img_size = 64
batch_size = 256
max_epochs = 30

train_dataloader = dict(batch_size=batch_size, num_workers=8, dataset=dict(
    data_root=data_root,
    pipeline=with_fields(_base_.train_dataloader.dataset.pipeline,
                         RandomResizedCrop=dict(scale=img_size))))
val_dataloader = dict(batch_size=250, num_workers=8, dataset=dict(
    data_root=data_root,
    pipeline=with_fields(_base_.val_dataloader.dataset.pipeline,
                         ResizeEdge=dict(scale=img_size), CenterCrop=dict(crop_size=img_size))))
test_dataloader = val_dataloader
model = dict(backbone=dict(
    arch='work_dirs/reproduce/gpu/arms/c1_flops_lam1_s0/export/atomnas_demo_searched.yml'),
    head=dict(in_channels=1280))
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = stretched(_base_.param_scheduler, max_epochs / _base_.train_cfg.max_epochs)
