# AttentiveNAS BestUp-3 (loss): the published models' sampler. For each middle
# subnet, 3 candidates at one target FLOPs (FLOPs prior) are scored by the
# label-smoothed CE on the current batch (no extra backward; the winner's
# forward is reused for training) and the lowest-loss one is trained.
_base_ = ['./attentivenas-uniform_64xb32_in1k.py']
model = dict(sampler=dict(_delete_=True, type='AttentiveSampler', mode='bestup', score='loss',
                          num_candidates=3, table=None, pool_size=50000, bucket_mflops=25.0))
