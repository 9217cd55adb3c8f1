# AtomNAS-C+ as released by the authors, converted and evaluated with their
# protocol (_base_/eval_3rdparty.py): published top-1 77.6.
#   python tools/model_converters/atomnas_to_nas_backbones.py RELEASED.pt \
#       checkpoints/atomnas_c_plus_in1k.pth --calib-config THIS_CONFIG
#   python tools/test.py THIS_CONFIG checkpoints/atomnas_c_plus_in1k.pth
_base_ = ['./_base_/eval_3rdparty.py']

model = dict(backbone=dict(arch='atomnas_c_plus'))
