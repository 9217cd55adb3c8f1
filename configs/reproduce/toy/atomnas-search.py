# The toy scale of benchmarks/reproduce (its end-to-end test): ../cpu/atomnas-search.py
# on a set of 8 train / 4 val images per class, a few iterations.
_base_ = ['../cpu/atomnas-search.py']
data_root = 'data/reproduce_toy'
batch_size = 16
max_epochs = 1
train_dataloader = dict(batch_size=batch_size, dataset=dict(data_root=data_root))
val_dataloader = dict(batch_size=20, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(logger=dict(interval=1))
