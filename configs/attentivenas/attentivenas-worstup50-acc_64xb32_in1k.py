# WorstUp-50 (predictor).
_base_ = ['./attentivenas-bestup50-acc_64xb32_in1k.py']
model = dict(sampler=dict(mode='worstup'))
