# Mask R-CNN, AttentiveNAS-A1 backbone: heads on the last feature map (stride 32);
# the AtomNAS paper's 23-epoch schedule.
# out_indices / frozen_stages / in_channels from nas_backbones.downstream.det_config:
# det_taps('attentivenas_a1', 'last-map').
_base_ = './_base_/mask-rcnn_searched_last-map_23e_coco.py'
model = dict(
    backbone=dict(
        arch='attentivenas_a1',
        out_indices=(7,),
        frozen_stages=2,
        init_cfg=dict(checkpoint='checkpoints/attentivenas_a1_in1k.pth')),
    neck=dict(in_channels=[1296]))
