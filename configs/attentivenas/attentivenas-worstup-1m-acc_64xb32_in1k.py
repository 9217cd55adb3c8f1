# WorstUp "1M" (offline): as BestUp-1M with the worst Pareto set.
_base_ = ['./attentivenas-bestup-1m-acc_64xb32_in1k.py']
model = dict(sampler=dict(mode='worstup'))
