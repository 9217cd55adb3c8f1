# Mask R-CNN (fpn) on COCO with mmdet's 1x schedule (12 epochs, x0.1 at 8, 11).
_base_ = [
    './mask-rcnn_searched_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]

# mmdet batches images of different sizes: keep mmengine's pseudo_collate
# (tools/train.py and tools/test.py otherwise fill in default_collate, which
# stacks images and suits mmpretrain's fixed-size crops only).
train_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
test_dataloader = val_dataloader
