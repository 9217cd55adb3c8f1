_base_ = ['./attentivenas-worstup3-loss_64xb32_in1k.py']  # alias
