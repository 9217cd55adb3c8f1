_base_ = ['./attentivenas-flops-prior_64xb32_in1k.py']  # alias
