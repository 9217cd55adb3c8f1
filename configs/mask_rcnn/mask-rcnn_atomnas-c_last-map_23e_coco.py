# Mask R-CNN, AtomNAS-C backbone: heads on the last feature map (stride 32);
# the AtomNAS paper's 23-epoch schedule.
# out_indices / frozen_stages / in_channels from nas_backbones.downstream.det_config:
# det_taps('atomnas_c', 'last-map').
_base_ = './_base_/mask-rcnn_searched_last-map_23e_coco.py'
model = dict(
    backbone=dict(
        arch='atomnas_c',
        out_indices=(7,),
        frozen_stages=2,
        init_cfg=dict(checkpoint='checkpoints/atomnas_c_in1k.pth')),
    neck=dict(in_channels=[1280]))
