# AttentiveNAS-A4 converted from the authors' released supernet, evaluated
# with the authors' protocol (_base_/eval_3rdparty.py): published top-1 79.8.
#   python tools/model_converters/attentivenas_to_nas_backbones.py \
#       attentive_nas_pretrained.pth.tar checkpoints/attentivenas_a4_in1k.pth \
#       --subnet attentivenas_a4 --calib-config THIS_CONFIG
#   python tools/test.py THIS_CONFIG checkpoints/attentivenas_a4_in1k.pth
_base_ = ['./_base_/eval_3rdparty.py']

model = dict(
    backbone=dict(arch='attentivenas_a4'),
    head=dict(arch='attentivenas_a4'),  # widths from the arch
    data_preprocessor=dict(size=256))
