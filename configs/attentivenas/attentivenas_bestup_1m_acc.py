_base_ = ['./attentivenas-bestup-1m-acc_64xb32_in1k.py']  # alias
