_base_ = ['./attentivenas-bestup3-loss_64xb32_in1k.py']  # alias
