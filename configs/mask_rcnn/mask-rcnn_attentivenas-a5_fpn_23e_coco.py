# Mask R-CNN, AttentiveNAS-A5 backbone: FPN over strides 4/8/16/32;
# the AtomNAS paper's 23-epoch schedule.
# out_indices / frozen_stages / in_channels from nas_backbones.downstream.det_config:
# det_taps('attentivenas_a5', 'fpn').
_base_ = './_base_/mask-rcnn_searched_fpn_23e_coco.py'
model = dict(
    backbone=dict(
        arch='attentivenas_a5',
        out_indices=(1, 2, 4, 7),
        frozen_stages=2,
        init_cfg=dict(checkpoint='checkpoints/attentivenas_a5_in1k.pth')),
    neck=dict(in_channels=[24, 32, 112, 1296]))
