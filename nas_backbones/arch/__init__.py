"""Architecture descriptions: typed, torch-free, (de)serialisable, validated;
and the per-block configs every builder and counter derives from them."""
from .atomnas_arch import (ATOMNAS_KERNELS, ATOMNAS_SUPERNET_SETTING, AtomBlockArch, AtomNetArch,
                           atomnas_supernet_arch)
from .attentive_arch import AttentiveArch, AttentiveSpace, StageSpace
from .blocks import (AtomBlockConfig, AttentiveLayout, BlockConfig, MBConvConfig, StageArgs, atom_costs,
                     atomnas_block_configs, atomnas_se_hidden, attentive_block_expansion,
                     attentive_head_channels, attentive_layout, attentive_se_hidden,
                     attentive_stage_blocks, block_configs, classifier_channels, conv_out,
                     head_channels)
from .common import make_divisible
from .zoo import ZOO_DIR, arch_from_dict, default_attentive_space, load_arch, zoo_names

__all__ = [
    'ATOMNAS_KERNELS', 'ATOMNAS_SUPERNET_SETTING', 'AtomBlockArch', 'AtomNetArch',
    'atomnas_supernet_arch', 'AttentiveArch', 'AttentiveSpace', 'StageSpace', 'make_divisible',
    'ZOO_DIR', 'arch_from_dict', 'default_attentive_space', 'load_arch', 'zoo_names',
    'AtomBlockConfig', 'AttentiveLayout', 'BlockConfig', 'MBConvConfig', 'StageArgs', 'atom_costs',
    'atomnas_block_configs', 'atomnas_se_hidden', 'attentive_block_expansion',
    'attentive_head_channels', 'attentive_layout', 'attentive_se_hidden', 'attentive_stage_blocks',
    'block_configs', 'classifier_channels', 'conv_out', 'head_channels'
]
