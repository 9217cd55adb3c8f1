# FLOPs-prior baseline of the demo (see attentivenas-bestup3-loss_demo.py).
_base_ = ['./attentivenas-bestup3-loss_demo.py']
model = dict(sampler=dict(_delete_=True, type='FlopsPriorSampler', pool_size=5000,
                          bucket_mflops=5.0))
