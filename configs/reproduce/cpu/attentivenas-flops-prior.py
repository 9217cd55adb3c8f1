# Claim 4: the FLOPs-prior sampler alone (one candidate at a target FLOPs drawn
# from the space's FLOPs distribution), as
# configs/attentivenas/attentivenas-flops-prior_demo.py, with this space's buckets.
_base_ = ['./attentivenas-bestup3-loss.py']
model = dict(sampler=dict(_delete_=True, type='FlopsPriorSampler', pool_size=5000,
                          bucket_mflops=0.1))
