# The AtomNAS paper's COCO schedule (section 4.4, from the TPU Mask R-CNN
# recipe; docs/downstream.md#detection): batch 16 in total (8 GPUs x 2
# images), SGD lr 0.02 with a
# linear warm-up, x0.1 at epochs 15 and 20, 23 epochs. Momentum, weight decay
# and warm-up length are mmdet's schedule_1x defaults, which the paper (run in
# MMDetection) does not change.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=23, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=23, by_epoch=True, milestones=[15, 20], gamma=0.1)
]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))

# lr 0.02 is for 16 images per step; --auto-scale-lr rescales it.
auto_scale_lr = dict(enable=False, base_batch_size=16)
