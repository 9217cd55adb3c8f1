# CPU demo of the FPN Mask R-CNN config on the COCO-format demo set:
#   python tools/data/build_coco_demo.py --out data/coco_demo
#   python tools/train.py configs/mask_rcnn/mask-rcnn_atomnas-a_fpn_demo.py
# trains for a few iterations and prints COCO bbox and segm mAP on val2017.
# Same model family and dataset class as the COCO configs; what is smaller
# is the data (10 Fashion-MNIST classes on 128 px canvases), the head widths
# (64 channels instead of 256) and the proposal counts, so that it ends in
# about a minute on 2 CPU cores. The backbone starts from scratch (no
# ImageNet checkpoint in the demo), so the mAP stays near 0: the demo checks
# the pipeline, not accuracy.
_base_ = [
    './_base_/mask-rcnn_searched_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/default_runtime.py',
]

data_root = 'data/coco_demo/'
# tools/data/_sources.py FASHION_MNIST_CLASSES, category ids 1..10.
classes = ('t_shirt_top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt',
           'sneaker', 'bag', 'ankle_boot')
metainfo = dict(classes=classes)
img_scale = (128, 128)
width = 64  # neck / head channels

model = dict(
    backbone=dict(
        arch='atomnas_a',
        out_indices=(1, 2, 4, 7),
        frozen_stages=-1,  # from scratch: train every stage and BN
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[24, 40, 96, 1280], out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=width),
        bbox_head=dict(in_channels=width, fc_out_channels=256, num_classes=len(classes)),
        mask_roi_extractor=dict(out_channels=width),
        mask_head=dict(in_channels=width, conv_out_channels=width, num_classes=len(classes))),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=200, max_per_img=100),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(
        rpn=dict(nms_pre=200, max_per_img=50),
        # A few iterations leave every class score under mmdet's 0.05; keep
        # the 20 best boxes anyway, so that COCO evaluation always has
        # detections to score (with none, CocoMetric reports nothing).
        rcnn=dict(score_thr=0.0, max_per_img=20)))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
# num_workers=0: on 2 cores, loader processes only compete with the model.
# pseudo_collate is mmengine's (and mmdet's) default; tools/train.py would
# otherwise set default_collate, which stacks images and needs equal sizes.
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        filter_cfg=dict(filter_empty_gt=True, min_size=8),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

# 64 train images / batch 4 = 16 iterations per epoch.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=8),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
    # From-scratch BN with 4 images can spike; clipping keeps the demo finite.
    clip_grad=dict(max_norm=10, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=16)

default_hooks = dict(logger=dict(interval=4), checkpoint=dict(interval=2))
env_cfg = dict(cudnn_benchmark=False)
# Fixed seed: the printed mAP is the same on every run of the same machine.
randomness = dict(seed=0)
