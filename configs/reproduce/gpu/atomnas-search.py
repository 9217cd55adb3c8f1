# benchmarks/reproduce claims 1-3 at GPU scale (one GPU; not run in this
# project yet): ../cpu/atomnas-search.py -- the demo search recipe -- with the
# published supernet (stem 16, the paper's 7-stage table, 1280-wide head) at
# 64 px, 2000 train / 500 val images per class and 30 epochs.
_base_ = ['../cpu/atomnas-search.py']
from nas_backbones.engine.config_edit import with_fields

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

model = dict(supernet=dict(
    resolution=img_size,
    # The published supernet (arch.ATOMNAS_SUPERNET_SETTING): 123.2 MFLOPs at 64 px.
    setting=[(1, 16, 1, 1), (6, 24, 4, 2), (6, 40, 4, 2), (6, 80, 4, 2), (6, 96, 4, 1),
             (6, 192, 4, 2), (6, 320, 1, 1)],
    last_channels=1280,
))
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# The published share of the supernet per shrink (1 of 1521 MFLOPs).
custom_hooks = with_fields(_base_.custom_hooks, AtomShrinkHook=dict(min_flops_delta=8e4))
