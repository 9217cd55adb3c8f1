# BestUp-3 (predictor): 3 candidates per target FLOPs scored by the accuracy
# predictor instead of the minibatch loss (no extra forward at all).
_base_ = ['./attentivenas-bestup50-acc_64xb32_in1k.py']
model = dict(sampler=dict(num_candidates=3))
