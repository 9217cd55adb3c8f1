# Claim 4's baseline: the sandwich's two middle subnets drawn uniformly (as
# configs/attentivenas/attentivenas-uniform_demo.py); also claim 5's supernet
# (the paper's predictor is fitted on a constraint-free, uniformly trained one).
_base_ = ['./attentivenas-bestup3-loss.py']
model = dict(sampler=dict(_delete_=True, type='UniformSampler'))
