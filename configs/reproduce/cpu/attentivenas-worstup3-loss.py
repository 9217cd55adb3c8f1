# Claim 4: WorstUp-3 (loss), the highest-loss of 3 candidates (as
# configs/attentivenas/attentivenas-worstup3-loss_64xb32_in1k.py).
_base_ = ['./attentivenas-bestup3-loss.py']
model = dict(sampler=dict(mode='worstup'))
