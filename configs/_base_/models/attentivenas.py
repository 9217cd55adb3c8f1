# AttentiveNAS subnet as an mmpretrain classifier: backbone (stem, MBConv
# stages, 1x1 conv to 6 x width[7]) -> global average pool -> the MobileNetV3
# head's last 1x1 conv as a linear to width[8] + swish -> dropout 0.2 -> fc
# (docs/methods/attentivenas.md#block-rules). Per-net configs set `arch` on
# the backbone and on the head, which derives its widths from it
# (`in_channels` = 6 x width[7], `mid_channels` = width[8]); configs written
# for an exported arch file give the two widths instead.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='SearchedMobileNet', arch='attentivenas_a0'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='NASClsHead',
        num_classes=1000,
        dropout=0.2,
        act='swish',
        # The authors' init (PyTorch default; the backbone also zeroes the
        # last BN gamma of every block).
        weight_init='attentivenas',
        # The authors' label smoothing, 0.1.
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, loss_weight=1.0),
        topk=(1, 5),
    ),
)
