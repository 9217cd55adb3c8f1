# Mask R-CNN (last-map) on COCO with mmdet's 3x recipe: multi-scale training
# (shorter side 640-800), the train set repeated 3 times over 12 epochs
# (x0.1 at 9 and 11): mmdet's common/ms_3x_coco-instance.py.
_base_ = [
    './mask-rcnn_searched_last-map.py',
    'mmdet::common/ms_3x_coco-instance.py',
]
# mmdet's 3x base evaluates boxes only; Mask R-CNN reports masks too.
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator

# mmdet batches images of different sizes: keep mmengine's pseudo_collate
# (tools/train.py and tools/test.py otherwise fill in default_collate, which
# stacks images and suits mmpretrain's fixed-size crops only).
train_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
test_dataloader = val_dataloader
