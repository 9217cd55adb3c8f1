# GPU scale of ../cpu/attentivenas-flops-prior.py: the same sampler on the GPU-scale base.
_base_ = ['./attentivenas-bestup3-loss.py']
model = dict(sampler=dict(_delete_=True, type='FlopsPriorSampler', pool_size=5000,
                          bucket_mflops=5.0))
