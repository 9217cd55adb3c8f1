"""Static blocks and searchable ops (torch only; importing registers nothing)."""
from .atomic_block import AtomicBlock
from .bn_recalib import recalibrate_bn
from .classifier import ClassifierHead, StaticClassifier, build_static_classifier, head_kwargs
from .layers import ConvBNAct, Hsigmoid, SqueezeExcite, drop_path, make_act
from .mbconv import MBConv, Shortcut
from .static_net import (BN_DEFAULTS, StageInfo, StaticNet, build_atomnas_net, build_attentive_net,
                         build_static_net, forward_stages, init_weights)

__all__ = [
    'AtomicBlock', 'recalibrate_bn', 'ClassifierHead', 'StaticClassifier', 'build_static_classifier', 'head_kwargs',
    'ConvBNAct', 'Hsigmoid', 'SqueezeExcite', 'drop_path', 'make_act', 'MBConv', 'Shortcut',
    'BN_DEFAULTS', 'StageInfo', 'StaticNet', 'build_atomnas_net', 'build_attentive_net',
    'build_static_net', 'forward_stages', 'init_weights'
]
