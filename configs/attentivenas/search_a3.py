_base_ = ['./attentivenas-search-a3_in1k.py']  # alias
