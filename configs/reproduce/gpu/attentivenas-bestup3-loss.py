# benchmarks/reproduce claims 4-5 at GPU scale (one GPU; not run in this
# project yet): ../cpu/attentivenas-bestup3-loss.py -- the demo recipe -- with
# the demo's own space (the published one at 48/64 px: 22-110 MFLOPs), 64 px
# images, 2000 train / 500 val per class, batch 128 and 30 epochs.
_base_ = ['../cpu/attentivenas-bestup3-loss.py']
from nas_backbones.engine.config_edit import stretched, with_fields

data_root = 'data/reproduce_gpu'
img_size = 64
batch_size = 128
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
model = dict(
    space=dict(_delete_=True, resolutions=[48, 64]),  # merged onto the published space
    sampler=dict(bucket_mflops=5.0),  # the demo's buckets for this space
)
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = stretched(_base_.param_scheduler, max_epochs / _base_.train_cfg.max_epochs)
