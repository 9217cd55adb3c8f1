_base_ = ['./attentivenas-bestup3-acc_64xb32_in1k.py']  # alias
