# BestUp-50 (predictor): 50 candidates per target FLOPs scored by the accuracy
# predictor (default: the authors' forest, nas_backbones/arch/zoo/
# attentivenas_acc_predictor_forest.npz; train your own with
# tools/analysis/train_acc_predictor.py and set `predictor=`).
_base_ = ['./attentivenas-uniform_64xb32_in1k.py']
model = dict(sampler=dict(_delete_=True, type='AttentiveSampler', mode='bestup', score='acc',
                          num_candidates=50, predictor=None, table=None, pool_size=50000))
