"""Static blocks and searchable ops (torch only; importing registers nothing)."""
from .atom_shrink import (ParamMap, dead_atom_masks, drop_atoms, keep_first, resolve_keep_mask,
                          slice_optimizer_state)
from .atomic_block import AtomicBlock
from .bn_recalib import recalibrate_bn
from .classifier import ClassifierHead, StaticClassifier, build_static_classifier, head_kwargs
from .layers import ConvBNAct, Hsigmoid, NormLayer, SqueezeExcite, batch_norm, drop_path, make_act
from .mbconv import MBConv, Shortcut
from .static_net import (BN_DEFAULTS, StageInfo, StaticNet, build_atomnas_net, build_attentive_net,
                         build_static_net, checkpoint_block, forward_stages, init_weights)

__all__ = [
    'ParamMap', 'dead_atom_masks', 'drop_atoms', 'keep_first', 'resolve_keep_mask',
    'slice_optimizer_state', 'AtomicBlock', 'recalibrate_bn', 'ClassifierHead', 'StaticClassifier', 'build_static_classifier', 'head_kwargs',
    'ConvBNAct', 'Hsigmoid', 'NormLayer', 'SqueezeExcite', 'batch_norm', 'drop_path', 'make_act',
    'MBConv', 'Shortcut', 'checkpoint_block',
    'BN_DEFAULTS', 'StageInfo', 'StaticNet', 'build_atomnas_net', 'build_attentive_net',
    'build_static_net', 'forward_stages', 'init_weights'
]
