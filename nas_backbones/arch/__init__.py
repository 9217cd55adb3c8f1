"""Architecture descriptions: typed, torch-free, (de)serialisable, validated."""
from .atomnas_arch import (ATOMNAS_KERNELS, ATOMNAS_SUPERNET_SETTING, AtomBlockArch, AtomNetArch,
                           atomnas_supernet_arch)
from .attentive_arch import AttentiveArch, AttentiveSpace, StageSpace
from .common import make_divisible
from .zoo import ZOO_DIR, arch_from_dict, default_attentive_space, load_arch, zoo_names

__all__ = [
    'ATOMNAS_KERNELS', 'ATOMNAS_SUPERNET_SETTING', 'AtomBlockArch', 'AtomNetArch',
    'atomnas_supernet_arch', 'AttentiveArch', 'AttentiveSpace', 'StageSpace', 'make_divisible',
    'ZOO_DIR', 'arch_from_dict', 'default_attentive_space', 'load_arch', 'zoo_names'
]
