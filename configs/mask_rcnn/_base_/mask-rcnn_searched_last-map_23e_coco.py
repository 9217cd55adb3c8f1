# Mask R-CNN (last-map) on COCO with the AtomNAS paper's 23-epoch schedule.
_base_ = [
    './mask-rcnn_searched_last-map.py',
    'mmdet::_base_/datasets/coco_instance.py',
    './schedule_23e.py',
    'mmdet::_base_/default_runtime.py',
]
