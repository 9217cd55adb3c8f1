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
