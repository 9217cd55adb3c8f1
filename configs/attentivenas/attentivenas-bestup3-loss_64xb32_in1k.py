# AttentiveNAS BestUp-3 (loss): the published models' sampler. For each middle
# subnet, 3 candidates at one target FLOPs (FLOPs prior) are scored by the
# label-smoothed CE on the current batch and the lowest-loss one is trained.
# The scoring forwards run with grad and the winner's is reused for training
# (AttentiveNAS' default reuse_scoring_forward=True: the same step as the
# authors' no-grad scoring + winner re-run, one forward less per slot, the 3
# candidates' graphs alive until the pick; set model.reuse_scoring_forward=False
# for the authors' order of operations and less memory).
_base_ = ['./attentivenas-uniform_64xb32_in1k.py']
model = dict(sampler=dict(_delete_=True, type='AttentiveSampler', mode='bestup', score='loss',
                          num_candidates=3, table=None, pool_size=50000, bucket_mflops=25.0))
