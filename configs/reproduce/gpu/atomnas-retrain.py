# GPU scale of ../cpu/atomnas-retrain.py: the exported net retrained on the GPU-
# scale data for the same 30 epochs and batch 256; the published supernet's
# head conv is 1280 wide.
_base_ = ['../cpu/atomnas-retrain.py']


def with_fields(items, **by_type):
    """The inherited pipeline with fields set per transform type."""
    missing = set(by_type) - {item['type'] for item in items}
    if missing:
        raise KeyError(f'{sorted(missing)}: not in the inherited list {[i["type"] for i in items]}')
    return [{**item, **by_type.get(item['type'], {})} for item in items]


def stretched(schedulers, factor):
    """The inherited epoch-based schedule with its epoch counts times ``factor``."""
    def scaled(value):
        value = value * factor
        return int(value) if float(value).is_integer() else value

    keys = ('begin', 'end', 'T_max', 'warmup_length')
    return [{**s, **{k: scaled(s[k]) for k in keys if k in s}} if s.get('by_epoch', True)
            else s for s in schedulers]


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
