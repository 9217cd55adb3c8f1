# Uniform-sandwich baseline of the demo (see attentivenas-bestup3-loss_demo.py).
_base_ = ['./attentivenas-bestup3-loss_demo.py']
model = dict(sampler=dict(_delete_=True, type='UniformSampler'))
