_base_ = ['./attentivenas-search-a5_in1k.py']  # alias
