# AtomNAS searched net as an mmpretrain classifier: backbone from the arch
# zoo -> global average pool -> dropout -> fc over the 1280-wide head conv.
# Per-net configs only change `arch`. Dropout 0.28 for every retrained net
# (meijieru/AtomNAS apps/searched/atomnas_*/atomnas_*.yml); the backbone and
# the fc start from the authors' "mnas" init (SearchedMobileNet builds AtomNAS
# nets with it; models/mobilenet_base.py L440-459).
model = dict(
    type='ImageClassifier',
    backbone=dict(type='SearchedMobileNet', arch='atomnas_a'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='NASClsHead',
        num_classes=1000,
        in_channels=1280,
        dropout=0.28,
        weight_init='mnas',
        # label smoothing 0.1 (default_mnas_scheduler.yml L33-34).
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, loss_weight=1.0),
        topk=(1, 5),
    ),
)
