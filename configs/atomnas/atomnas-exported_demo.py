# Retrain the net that the demo search exported, from scratch on the demo set:
#   python tools/train.py configs/atomnas/atomnas-a-search_demo.py
#   python tools/train.py configs/atomnas/atomnas-exported_demo.py
# Training recipe of atomnas-a_demo.py; the demo supernet's head conv is
# 640 wide (not 1280).
_base_ = ['./atomnas-a_demo.py']

model = dict(
    backbone=dict(arch='work_dirs/atomnas-a-search_demo/export/atomnas_demo_searched.yml'),
    head=dict(in_channels=640))
