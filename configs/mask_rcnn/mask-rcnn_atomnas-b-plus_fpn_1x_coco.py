# Mask R-CNN, AtomNAS-B+ backbone: FPN over strides 4/8/16/32;
# mmdet's 1x schedule.
# out_indices / frozen_stages / in_channels from nas_backbones.downstream.det_config:
# det_taps('atomnas_b_plus', 'fpn').
_base_ = './_base_/mask-rcnn_searched_fpn_1x_coco.py'
model = dict(
    backbone=dict(
        arch='atomnas_b_plus',
        out_indices=(1, 2, 4, 7),
        frozen_stages=2,
        init_cfg=dict(checkpoint='checkpoints/atomnas_b_plus_in1k.pth')),
    neck=dict(in_channels=[24, 40, 96, 1280]))
