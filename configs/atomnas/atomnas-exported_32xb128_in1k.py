# Retrain a net exported by an AtomNAS search from scratch on ImageNet, with
# the published retraining recipe of atomnas-a_32xb128_in1k.py (RMSProp-TF,
# batch 4096, EMA, 350 epochs). The search writes the arch file (AtomShrinkHook
# + AtomNASExportHook, or tools/export.py); point `arch` at another one with
#   --cfg-options model.backbone.arch=PATH.yml
# (AtomNAS-A/B/C themselves are the search runs' EMA nets: "searched and
# trained simultaneously"; retraining is what the + variants do.)
_base_ = ['./atomnas-a_32xb128_in1k.py']

model = dict(backbone=dict(
    arch='work_dirs/atomnas-a-search_8xb256_in1k/export/atomnas_a_searched.yml'))
