_base_ = ['./attentivenas-search-a0_in1k.py']  # alias
