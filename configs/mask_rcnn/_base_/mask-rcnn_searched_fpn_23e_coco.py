# Mask R-CNN (fpn) on COCO with the AtomNAS paper's 23-epoch schedule.
_base_ = [
    './mask-rcnn_searched_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    './schedule_23e.py',
    'mmdet::_base_/default_runtime.py',
]
