_base_ = ['./attentivenas-uniform_64xb32_in1k.py']  # alias
