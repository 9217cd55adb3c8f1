# WorstUp-3 (loss): train the highest-loss of 3 candidates (paper ablation).
_base_ = ['./attentivenas-bestup3-loss_64xb32_in1k.py']
model = dict(sampler=dict(mode='worstup'))
