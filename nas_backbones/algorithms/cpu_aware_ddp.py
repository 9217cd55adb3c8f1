"""mmengine's DDP wrapper for models that may live on the CPU.

``Runner.wrap_model`` gives every ``DistributedDataParallel`` subclass
``device_ids=[LOCAL_RANK]``; DDP refuses device ids for a CPU module, so a
``torchrun ... --launcher pytorch`` run without CUDA (gloo; tests,
debugging) stops there. This wrapper passes ``device_ids=None`` when the
module's parameters are all on the CPU and is mmengine's
``MMDistributedDataParallel`` otherwise; being a DDP subclass it is also
what ``AtomShrinkHook`` re-wraps after replacing parameters.
"""
from __future__ import annotations

import torch.nn as nn
from mmengine.model import MMDistributedDataParallel

from ..registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUAwareDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also wraps CPU modules.

    Use with ``model_wrapper_cfg = dict(type='nas_backbones.CPUAwareDistributedDataParallel')``.

    Args:
        module (nn.Module): The model.
        device_ids (list[int], optional): As DDP's; ignored (None) for a
            module whose parameters are all on the CPU.
        **kwargs: Other ``DistributedDataParallel`` arguments
            (``broadcast_buffers``, ``find_unused_parameters``, ...).
    """

    def __init__(self, module: nn.Module, device_ids=None, **kwargs):
        if {p.device.type for p in module.parameters()} == {'cpu'}:
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)
