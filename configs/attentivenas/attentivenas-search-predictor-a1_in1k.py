# Search with the accuracy predictor as fitness (no data needed; ~3 s for 20
# generations on CPU): the authors' forest, or your own (train_acc_predictor.py).
_base_ = ['./attentivenas-search-a1_in1k.py']
search_cfg = dict(fitness='predictor', predictor=None)
