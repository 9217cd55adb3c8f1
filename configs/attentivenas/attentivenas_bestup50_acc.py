_base_ = ['./attentivenas-bestup50-acc_64xb32_in1k.py']  # alias
