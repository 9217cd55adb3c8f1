_base_ = ['./attentivenas-search-a6_in1k.py']  # alias
