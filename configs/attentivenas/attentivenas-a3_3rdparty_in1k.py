# AttentiveNAS-A3 converted from the authors' released supernet, evaluated
# with the authors' protocol (_base_/eval_3rdparty.py): published top-1 79.1.
#   python tools/model_converters/attentivenas_to_nas_backbones.py \
#       attentive_nas_pretrained.pth.tar checkpoints/attentivenas_a3_in1k.pth \
#       --subnet attentivenas_a3 --calib-config THIS_CONFIG
#   python tools/test.py THIS_CONFIG checkpoints/attentivenas_a3_in1k.pth
_base_ = ['./_base_/eval_3rdparty.py']

model = dict(
    backbone=dict(arch='attentivenas_a3'),
    # in_channels = 6 x width[7], mid_channels = width[8]
    head=dict(in_channels=6 * 224, mid_channels=1984),
    data_preprocessor=dict(size=224))
