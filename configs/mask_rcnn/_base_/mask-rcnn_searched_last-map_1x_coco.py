# Mask R-CNN (last-map) on COCO with mmdet's 1x schedule (12 epochs, x0.1 at 8, 11).
_base_ = [
    './mask-rcnn_searched_last-map.py',
    'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
