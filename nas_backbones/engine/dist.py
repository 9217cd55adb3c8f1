"""Distributed start-up that also works on CPU-only machines."""
from __future__ import annotations

import torch
import torch.distributed as dist


def init_cpu_process_group(launcher: str) -> bool:
    """Start a gloo process group for ``--launcher pytorch`` without CUDA.

    mmengine's pytorch launcher calls ``torch.cuda.set_device`` before
    ``init_process_group``, so a torchrun job on a CPU machine fails there.
    When the group already exists the Runner skips its own ``init_dist``, so
    starting gloo here lets the same CLI run on CPU (tests, debugging).

    Args:
        launcher (str): The CLI's ``--launcher`` value.

    Returns:
        bool: True when this call started the group.
    """
    if launcher != 'pytorch' or torch.cuda.is_available() or dist.is_initialized():
        return False
    dist.init_process_group('gloo')
    return True
