"""nas_backbones registries: children of mmpretrain's (themselves children of
mmengine's), scope 'nas_backbones', as mmpretrain's are children of mmengine's.

Being children of mmpretrain lets configs with ``default_scope='nas_backbones'``
use mmpretrain's parts unscoped (``ImageClassifier``, ``ImageNet``, ...).
``locations`` import the registering modules lazily, on the first lookup:
ours, and mmpretrain's own locations for its registry (a child looks into
its parents' *registered* modules only; mmpretrain registers its modules
lazily too, so without them an unscoped ``ImageClassifier`` would not be
found until something imported ``mmpretrain.models``).

From another library's config (mmdet's Mask R-CNN, default scope 'mmdet'),
name our modules by their import path, ``type='nas_backbones.SearchedMobileNet'``
with ``custom_imports=dict(imports=['nas_backbones'])``: mmengine resolves a
scoped name of a *sibling* library only for the root's direct children (ours
is a grandchild), and otherwise imports the dotted path
(``mmengine.utils.get_object_from_string``), which the names exported by
``nas_backbones/__init__.py`` satisfy. Nothing here touches mmengine's
private registry state.
"""
from mmengine.registry import Registry
from mmpretrain.registry import DATA_SAMPLERS as MMPRETRAIN_DATA_SAMPLERS
from mmpretrain.registry import DATASETS as MMPRETRAIN_DATASETS
from mmpretrain.registry import EVALUATORS as MMPRETRAIN_EVALUATOR
from mmpretrain.registry import HOOKS as MMPRETRAIN_HOOKS
from mmpretrain.registry import LOOPS as MMPRETRAIN_LOOPS
from mmpretrain.registry import METRICS as MMPRETRAIN_METRICS
from mmpretrain.registry import MODEL_WRAPPERS as MMPRETRAIN_MODEL_WRAPPERS
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMPRETRAIN_OPTIM_WRAPPER_CONSTRUCTORS
from mmpretrain.registry import OPTIM_WRAPPERS as MMPRETRAIN_OPTIM_WRAPPERS
from mmpretrain.registry import OPTIMIZERS as MMPRETRAIN_OPTIMIZERS
from mmpretrain.registry import PARAM_SCHEDULERS as MMPRETRAIN_PARAM_SCHEDULERS
from mmpretrain.registry import RUNNERS as MMPRETRAIN_RUNNERS
from mmpretrain.registry import TASK_UTILS as MMPRETRAIN_TASK_UTILS
from mmpretrain.registry import TRANSFORMS as MMPRETRAIN_TRANSFORMS
from mmpretrain.registry import VISBACKENDS as MMPRETRAIN_VISBACKENDS
from mmpretrain.registry import VISUALIZERS as MMPRETRAIN_VISUALIZERS

__all__ = ['RUNNERS', 'LOOPS', 'HOOKS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
           'MODEL_WRAPPERS', 'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
           'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR', 'TASK_UTILS', 'VISUALIZERS', 'VISBACKENDS',
           'ARCH_SAMPLERS']

SCOPE = 'nas_backbones'

# mmpretrain/registry.py's locations, per registry.
_ENGINE, _DATASETS, _MODELS = 'mmpretrain.engine', 'mmpretrain.datasets', 'mmpretrain.models'
_EVALUATION, _VISUALIZATION = 'mmpretrain.evaluation', 'mmpretrain.visualization'

RUNNERS = Registry('runner', parent=MMPRETRAIN_RUNNERS, scope=SCOPE,
                   locations=['nas_backbones.engine', _ENGINE])
LOOPS = Registry('loop', parent=MMPRETRAIN_LOOPS, scope=SCOPE,
                 locations=['nas_backbones.engine.loops', _ENGINE])
HOOKS = Registry('hook', parent=MMPRETRAIN_HOOKS, scope=SCOPE,
                 locations=['nas_backbones.engine.hooks', _ENGINE])
DATASETS = Registry('dataset', parent=MMPRETRAIN_DATASETS, scope=SCOPE, locations=[_DATASETS])
DATA_SAMPLERS = Registry('data sampler', parent=MMPRETRAIN_DATA_SAMPLERS, scope=SCOPE,
                         locations=[_DATASETS])
TRANSFORMS = Registry('transform', parent=MMPRETRAIN_TRANSFORMS, scope=SCOPE,
                      locations=[_DATASETS])
MODELS = Registry('model', parent=MMPRETRAIN_MODELS, scope=SCOPE,
                  locations=['nas_backbones.backbones', 'nas_backbones.algorithms',
                             'nas_backbones.engine.hooks', _MODELS])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMPRETRAIN_MODEL_WRAPPERS, scope=SCOPE,
                          locations=['nas_backbones.algorithms', _MODELS])
OPTIMIZERS = Registry('optimizer', parent=MMPRETRAIN_OPTIMIZERS, scope=SCOPE,
                      locations=['nas_backbones.engine.optimizers', _ENGINE])
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMPRETRAIN_OPTIM_WRAPPERS, scope=SCOPE,
                          locations=[_ENGINE])
OPTIM_WRAPPER_CONSTRUCTORS = Registry('optimizer wrapper constructor',
                                      parent=MMPRETRAIN_OPTIM_WRAPPER_CONSTRUCTORS, scope=SCOPE,
                                      locations=[_ENGINE])
PARAM_SCHEDULERS = Registry('parameter scheduler', parent=MMPRETRAIN_PARAM_SCHEDULERS,
                            scope=SCOPE, locations=['nas_backbones.engine.schedulers', _ENGINE])
METRICS = Registry('metric', parent=MMPRETRAIN_METRICS, scope=SCOPE, locations=[_EVALUATION])
EVALUATOR = Registry('evaluator', parent=MMPRETRAIN_EVALUATOR, scope=SCOPE,
                     locations=[_EVALUATION])
TASK_UTILS = Registry('task util', parent=MMPRETRAIN_TASK_UTILS, scope=SCOPE, locations=[_MODELS])
VISUALIZERS = Registry('visualizer', parent=MMPRETRAIN_VISUALIZERS, scope=SCOPE,
                       locations=[_VISUALIZATION])
VISBACKENDS = Registry('vis_backend', parent=MMPRETRAIN_VISBACKENDS, scope=SCOPE,
                       locations=[_VISUALIZATION])
# Samplers of architectures (not data): uniform, FLOPs prior, attentive.
ARCH_SAMPLERS = Registry('arch sampler', scope=SCOPE, locations=['nas_backbones.samplers'])
