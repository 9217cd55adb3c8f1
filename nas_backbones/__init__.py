"""nas_backbones: AtomNAS and AttentiveNAS searched backbones for OpenMMLab.

Importing the package registers every component in the 'nas_backbones'
registries (children of mmpretrain's; mmpretrain's own modules register
lazily, on the first lookup). The components that configs of other
libraries name by path (``type='nas_backbones.SearchedMobileNet'`` in an
mmdet config, ``runner_type='nas_backbones.NASRunner'``) are exported here,
which is what that path resolves to (see
``nas_backbones/registry.py``). ``arch``, ``estimators``, ``ops`` and
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
    from .algorithms import CPUAwareDistributedDataParallel, SandwichDataParallel  # noqa: F401
    from .backbones import NASClsHead, ResizeClsDataPreprocessor, SearchedMobileNet  # noqa: F401
    from .engine import NASRunner  # noqa: F401
    from .engine.hooks import AtomNASEMA  # noqa: F401
    from .utils import register_all_modules  # noqa: F401
