# Mask R-CNN with an FPN over a searched backbone (the variant mmdet users
# expect, docs/downstream.md#detection): mmdet's R50-FPN model with the
# backbone swapped. Per-backbone
# configs set `arch`, `out_indices`, `frozen_stages`, the checkpoint and the
# FPN `in_channels`; the numbers come from nas_backbones.downstream.det_config
# (the last output at each of strides 4/8/16/32, the stride-32 one being the
# 1x1 head conv) and are checked against output_shape() by
# tests/test_configs/test_mask_rcnn_configs.py.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

# Registers nas_backbones.* (as mmdet's ConvNeXt configs import mmpretrain).
custom_imports = dict(imports=['nas_backbones'], allow_failed_imports=False)
# mmengine's Runner with checkpoint reading that works under torch's
# weights_only default (--resume, tools/test.py); nas_backbones/engine/runner.py.
runner_type = 'nas_backbones.NASRunner'

model = dict(
    backbone=dict(
        _delete_=True,
        type='nas_backbones.SearchedMobileNet',
        arch=None,
        out_indices=(1, 2, 4, 7),
        # Stem + stages up to stride 4 frozen, as ResNet's frozen_stages=1.
        frozen_stages=2,
        # 2 images per GPU are too few for BN statistics: keep them from
        # ImageNet (norm_eval), as mmdet's ResNet configs do. With SyncBN
        # across 8 GPUs set norm_cfg=dict(type='SyncBN'), norm_eval=False
        # (--cfg-options, or tools/analysis/print_det_config.py --sync-bn).
        norm_eval=True,
        norm_cfg=dict(type='BN'),
        # Weights-only load of an exported ImageNet checkpoint; a wrong prefix
        # or arch fails naming the expected keys (backbones/pretrained.py).
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    neck=dict(in_channels=None))
