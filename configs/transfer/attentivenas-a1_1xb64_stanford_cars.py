# AttentiveNAS-A1 fine-tuned on Stanford Cars at 224 px; the paper's top-1: 91.3
# (appendix G, docs/downstream.md#transfer). Head widths:
# nas_backbones.downstream.transfer.cls_head_dims.
_base_ = [
    './_base_/searched-cls_finetune.py',
    './_base_/stanford_cars.py',
    './_base_/res224.py',
]
# Exported ImageNet weights (tools/export.py); both the backbone and the
# pre-logits layer (head.mid_fc) come from them, the 196-way fc is new (the
# load logs its size mismatch and keeps the fresh fc).
pretrained = 'checkpoints/attentivenas_a1_in1k.pth'
model = dict(
    backbone=dict(arch='attentivenas_a1', init_cfg=dict(checkpoint=pretrained)),
    head=dict(
        num_classes=196,
        in_channels=1296,
        mid_channels=1984,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='head.')))
train_dataloader = dict(dataset=dict(pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
