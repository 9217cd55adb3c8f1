_base_ = ['./attentivenas-worstup50-acc_64xb32_in1k.py']  # alias
