# Mask R-CNN, AttentiveNAS-A2 backbone: FPN over strides 4/8/16/32;
# mmdet's multi-scale 3x recipe.
# out_indices / frozen_stages / in_channels from nas_backbones.downstream.det_config:
# det_taps('attentivenas_a2', 'fpn').
_base_ = './_base_/mask-rcnn_searched_fpn_3x_coco.py'
model = dict(
    backbone=dict(
        arch='attentivenas_a2',
        out_indices=(1, 2, 4, 7),
        frozen_stages=2,
        init_cfg=dict(checkpoint='checkpoints/attentivenas_a2_in1k.pth')),
    neck=dict(in_channels=[24, 32, 112, 1344]))
