"""nas_backbones: AtomNAS and AttentiveNAS searched backbones for OpenMMLab.

Importing the package registers every component in the 'nas_backbones'
registries (children of mmpretrain's). ``arch``, ``estimators``, ``ops`` and
``supernets`` need torch alone: on a machine without the OpenMMLab stack
(the GPU benchmark machine) import those subpackages directly; the
registering imports below are then skipped, and ``nas_backbones.registry``
raises the ImportError when used.
"""
__version__ = '0.1.0'

try:
    import mmpretrain  # noqa: F401
except ImportError:  # torch-only use: arch/estimators/ops/supernets
    pass
else:
    # Registering subpackages, in import-flow order.
    from . import registry  # noqa: F401
    from . import backbones  # noqa: F401
    from . import engine  # noqa: F401
    from . import samplers  # noqa: F401  (AttentiveNAS arch samplers)
    from . import algorithms  # noqa: F401
    from . import export  # noqa: F401
    from .utils import register_all_modules  # noqa: F401
