# Toy scale of ../cpu/attentivenas-worstup3-loss.py: the same sampler on the toy base.
_base_ = ['./attentivenas-bestup3-loss.py']
model = dict(sampler=dict(mode='worstup'))
