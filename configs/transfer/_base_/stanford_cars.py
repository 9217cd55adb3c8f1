# Stanford Cars (mmpretrain's StanfordCars): car_ims/ + cars_annos.mat, or the
# cars_train/, cars_test/ + devkit/ layout. Train 8144, test 8041 images.
# Pipelines depend on the arch's resolution: per-net configs take them from
# res<N>.py (see there).
dataset_type = 'StanfordCars'
data_root = 'data/stanford_cars'
num_classes = 196
data_preprocessor = dict(
    num_classes=num_classes,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=dict(type=dataset_type, data_root=data_root, split='train', pipeline=None),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    dataset=dict(type=dataset_type, data_root=data_root, split='test', pipeline=None),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
