_base_ = ['./attentivenas-search-a2_in1k.py']  # alias
