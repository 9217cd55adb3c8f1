# ImageNet-1k at 224, 32 images per GPU (AttentiveNAS used 64 GPUs x 32).
_base_ = ['./imagenet_bs128.py']

train_dataloader = dict(batch_size=32, num_workers=4)
val_dataloader = dict(batch_size=32, num_workers=4)
test_dataloader = val_dataloader
