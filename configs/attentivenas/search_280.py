_base_ = ['./attentivenas-search-a1_in1k.py']  # alias (budget in MFLOPs)
