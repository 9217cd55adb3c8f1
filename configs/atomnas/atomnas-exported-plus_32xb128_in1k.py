# The + variant of a net exported by an AtomNAS search (Swish, SE 0.5,
# dropout 0.28; export writes it as <name>_plus.yml) retrained from scratch on
# ImageNet with the recipe of atomnas-a-plus_32xb128_in1k.py (250 epochs).
#   --cfg-options model.backbone.arch=PATH_plus.yml
_base_ = ['./atomnas-a-plus_32xb128_in1k.py']

model = dict(backbone=dict(
    arch='work_dirs/atomnas-a-search_8xb256_in1k/export/atomnas_a_searched_plus.yml'))
