# GPU scale of ../cpu/attentivenas-uniform.py: the same sampler on the GPU-scale base.
_base_ = ['./attentivenas-bestup3-loss.py']
model = dict(sampler=dict(_delete_=True, type='UniformSampler'))
