"""Package-level helpers."""
from __future__ import annotations


def register_all_modules(init_default_scope: bool = True) -> None:
    """Make sure every component is registered (importing ``nas_backbones``
    does it) and, optionally, set 'nas_backbones' as the default scope, as
    ``mmpretrain.utils.register_all_modules`` does."""
    import nas_backbones  # noqa: F401  (registers on import)
    if init_default_scope:
        from mmengine.registry import DefaultScope
        if DefaultScope.get_current_instance() is None:
            DefaultScope.get_instance('nas_backbones', scope_name='nas_backbones')
