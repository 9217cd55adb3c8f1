_base_ = ['./attentivenas-search-a4_in1k.py']  # alias
