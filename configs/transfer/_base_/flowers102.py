# Oxford Flowers-102 (mmpretrain's Flowers102): jpg/, imagelabels.mat, setid.mat.
# Standard protocol: train on train+val (2040 images), report top-1 on test
# (6149); the 20 % hold-out for lr/wd comes from trainval (tools/transfer_sweep.py).
# Pipelines depend on the arch's resolution: per-net configs take them from
# res<N>.py (see there).
dataset_type = 'Flowers102'
data_root = 'data/flowers102'
num_classes = 102
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=dict(type=dataset_type, data_root=data_root, split='trainval', pipeline=None),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=dict(type=dataset_type, data_root=data_root, split='test', pipeline=None),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
