# Fine-tune / retrain an exported AttentiveNAS subnet as an mmpretrain
# ImageClassifier. tools/export.py writes `<name>_finetune.py` next to the
# weights with the arch file, the head widths and the Pretrained init filled in:
#   python tools/train.py work_dirs/attentivenas_demo_export/<name>_finetune.py
# This base trains on the demo set (switch the dataset base for ImageNet:
# '../../_base_/datasets/imagenet_bs32.py' and the published schedule).
_base_ = [
    '../../_base_/models/attentivenas.py',
    '../../_base_/datasets/imagenet_demo.py',
    '../../_base_/default_runtime.py',
]
model = dict(head=dict(num_classes=10))  # backbone.arch / init_cfg: set by the generated config
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(type='value', clip_value=1.0),
)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=2, eta_min=0.0)]
train_cfg = dict(by_epoch=True, max_epochs=2, val_interval=1)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=1, max_keep_ckpts=1))
