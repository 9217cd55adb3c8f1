# CPU demo: fine-tuning recipe on the Oxford Flowers-102 fixture (Flowers102 layout), a few
# iterations, top-1 on its test split (see _base_/demo.py):
#   python tools/data/build_finegrained_demo.py --out data/finegrained_demo --dataset all
#   python tools/train.py configs/transfer/attentivenas-a0_demo_flowers102.py
_base_ = ['./_base_/demo.py', './_base_/flowers102.py']

data_root = 'data/finegrained_demo/flowers102'
# num_classes stays at the real count (102) although the fixture has 5 classes.
model = dict(head=dict(num_classes=102))
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    dataset=dict(data_root=data_root, pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    dataset=dict(data_root=data_root, pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
