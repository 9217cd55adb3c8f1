# AtomNAS searched net as an mmpretrain classifier (SPEC §2): backbone from
# the arch zoo -> global average pool -> dropout -> fc over the 1280-wide
# head conv. Per-net configs only change `arch` (and dropout 0.28 for the +
# variants).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='SearchedMobileNet', arch='atomnas_a'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='NASClsHead',
        num_classes=1000,
        in_channels=1280,
        dropout=0.2,
        # SPEC §2: label smoothing 0.1.
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, loss_weight=1.0),
        topk=(1, 5),
    ),
)
