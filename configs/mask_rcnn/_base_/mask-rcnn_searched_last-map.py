# Mask R-CNN with every head on the backbone's last feature map, as in the
# AtomNAS paper (section 4.4: "building the detection head on top of the last
# feature map"; docs/downstream.md#detection).
#
# Which map: the final 1x1 head conv output (out index 7; stride 32, 1280
# channels for AtomNAS, 6 x width[7] for AttentiveNAS), read literally as
# "the last feature map", rather than a C4-style stride-16 map. mmdet's
# C4 Mask R-CNN (mask-rcnn_r50-caffe-c4) runs ResNet's res5 on each RoI as a
# shared head; for a searched net that would mean running stages 6-7 and the
# head conv per RoI in a custom shared head, with no published counterpart.
# Using the whole backbone once keeps every pretrained weight in use.
#
# A 1x1 ChannelMapper brings the map to 256 channels (the 2-fc box head on
# 7x7x1280 RoIs would need 64 M parameters); a single-level RPN and RoIAlign
# work at stride 32. Anchor scales 1..16 at stride 32 give the same anchor
# sizes (32..512 px) as mmdet's C4 RPN (scales 2..32 at stride 16).
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

custom_imports = dict(imports=['nas_backbones'], allow_failed_imports=False)
runner_type = 'nas_backbones.NASRunner'  # see mask-rcnn_searched_fpn.py

model = dict(
    backbone=dict(
        _delete_=True,
        type='nas_backbones.SearchedMobileNet',
        arch=None,
        out_indices=(7, ),
        frozen_stages=2,  # stem + stages up to stride 4, as ResNet's frozen_stages=1
        norm_eval=True,  # see mask-rcnn_searched_fpn.py
        norm_cfg=dict(type='BN'),
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    neck=dict(
        _delete_=True,
        type='ChannelMapper',
        in_channels=None,
        out_channels=256,
        kernel_size=1,
        num_outs=1),
    rpn_head=dict(
        anchor_generator=dict(scales=[1, 2, 4, 8, 16], strides=[32])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=[32]),
        mask_roi_extractor=dict(featmap_strides=[32])))
