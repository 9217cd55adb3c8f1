"""nas_backbones registries: children of mmpretrain's (themselves children of
mmengine's), scope 'nas_backbones'.

Being children of mmpretrain lets configs with ``default_scope='nas_backbones'``
use mmpretrain's parts unscoped (``ImageClassifier``, ``ImageNet``, ...), and
lets mmpretrain/mmdet configs reach ours with a scoped type
(``type='nas_backbones.SearchedMobileNet'``), as mmdet does for
``mmpretrain.ConvNeXt``. ``locations`` import the registering modules lazily.
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

SCOPE = 'nas_backbones'


def _child(name: str, parent: Registry, *locations: str) -> Registry:
    registry = Registry(name, parent=parent, scope=SCOPE,
                        locations=[f'nas_backbones.{loc}' for loc in locations])
    # mmengine resolves a scoped type ('nas_backbones.X') from a *sibling*
    # library (mmdet) only through the root registry's direct children, and
    # ours is a grandchild (root -> mmpretrain -> nas_backbones). Listing it
    # under the root as well makes `type='nas_backbones.SearchedMobileNet'`
    # work in mmdet configs, while unscoped mmpretrain names keep resolving
    # through the real parent.
    root = parent._get_root_registry()
    root._children.setdefault(SCOPE, registry)
    return registry


RUNNERS = _child('runner', MMPRETRAIN_RUNNERS, 'engine')
LOOPS = _child('loop', MMPRETRAIN_LOOPS, 'engine.loops')
HOOKS = _child('hook', MMPRETRAIN_HOOKS, 'engine.hooks')
DATASETS = _child('dataset', MMPRETRAIN_DATASETS)
DATA_SAMPLERS = _child('data sampler', MMPRETRAIN_DATA_SAMPLERS)
TRANSFORMS = _child('transform', MMPRETRAIN_TRANSFORMS)
MODELS = _child('model', MMPRETRAIN_MODELS, 'backbones', 'algorithms')
MODEL_WRAPPERS = _child('model_wrapper', MMPRETRAIN_MODEL_WRAPPERS, 'algorithms')
OPTIMIZERS = _child('optimizer', MMPRETRAIN_OPTIMIZERS, 'engine.optimizers')
OPTIM_WRAPPERS = _child('optim_wrapper', MMPRETRAIN_OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMPRETRAIN_OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child('parameter scheduler', MMPRETRAIN_PARAM_SCHEDULERS, 'engine.schedulers')
METRICS = _child('metric', MMPRETRAIN_METRICS)
EVALUATOR = _child('evaluator', MMPRETRAIN_EVALUATOR)
TASK_UTILS = _child('task util', MMPRETRAIN_TASK_UTILS)
VISUALIZERS = _child('visualizer', MMPRETRAIN_VISUALIZERS)
VISBACKENDS = _child('vis_backend', MMPRETRAIN_VISBACKENDS)
# Samplers of architectures (not data): uniform, FLOPs prior, attentive.
ARCH_SAMPLERS = Registry('arch sampler', scope=SCOPE, locations=['nas_backbones.samplers'])

# A child registry looks into its parents' already-registered modules only;
# mmpretrain fills its registries lazily (``locations``), so register its
# modules now for unscoped lookups (ImageClassifier, ImageNet, Accuracy, ...)
# from the 'nas_backbones' scope.
from mmpretrain.utils import register_all_modules as _register_mmpretrain_modules  # noqa: E402

_register_mmpretrain_modules(init_default_scope=False)
