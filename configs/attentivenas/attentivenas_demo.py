_base_ = ['./attentivenas-bestup3-loss_demo.py']  # alias
