"""Architecture samplers (torch-free). Registered in ``ARCH_SAMPLERS`` when
the OpenMMLab stack is installed; importable without it (benchmarks)."""
from .acc_predictor import ForestPredictor, forest_from_sklearn
from .attentive import AttentiveSampler, pareto_set
from .base import ArchSampler, UniformSampler
from .evolution import EvolutionSearch, check_budget, space_flops_range
from .flops_prior import FlopsPriorSampler
from .flops_table import FlopsTable, bucket_of

__all__ = ['ArchSampler', 'AttentiveSampler', 'EvolutionSearch', 'FlopsPriorSampler', 'FlopsTable',
           'ForestPredictor', 'UniformSampler', 'bucket_of', 'check_budget', 'forest_from_sklearn', 'pareto_set',
           'space_flops_range']

try:
    from ..registry import ARCH_SAMPLERS
except ImportError:  # torch-only machine
    ARCH_SAMPLERS = None
if ARCH_SAMPLERS is not None:
    for _cls in (UniformSampler, FlopsPriorSampler, AttentiveSampler):
        ARCH_SAMPLERS.register_module(module=_cls, force=True)
