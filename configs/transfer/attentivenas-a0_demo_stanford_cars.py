# CPU demo: fine-tuning recipe on the Stanford Cars fixture (StanfordCars layout), a few
# iterations, top-1 on its test split (see _base_/demo.py):
#   python tools/data/build_finegrained_demo.py --out data/finegrained_demo --dataset all
#   python tools/train.py configs/transfer/attentivenas-a0_demo_stanford_cars.py
_base_ = ['./_base_/demo.py', './_base_/stanford_cars.py']

data_root = 'data/finegrained_demo/stanford_cars'
# num_classes stays at the real count (196) although the fixture has 5 classes.
model = dict(head=dict(num_classes=196))
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    dataset=dict(data_root=data_root, pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    dataset=dict(data_root=data_root, pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
