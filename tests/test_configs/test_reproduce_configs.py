"""configs/reproduce: every scale's configs build, inherit the published demo
recipes and change only what the harness says (sizes, the penalty costs, the
sampler), and the plans point at configs that exist."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from nas_conftest import REPO

from nas_backbones.registry import DATASETS, MODELS

SCALES = ('toy', 'cpu', 'gpu')
CONFIGS = sorted(str(p.relative_to(REPO)) for p in (REPO / 'configs' / 'reproduce').glob('*/*.py')
                 if p.name != 'plan.py')
TRAINED = [c for c in CONFIGS if not c.endswith('-search.py')]  # the search configs score only


@pytest.fixture(autouse=True)
def scope():
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        yield


def load(path):
    return Config.fromfile(str(REPO / path))


def plan(scale):
    from benchmarks.reproduce.run import load_plan
    return load_plan(scale)


@pytest.mark.parametrize('scale', SCALES)
def test_plan_points_at_existing_configs_of_its_scale(scale):
    p = plan(scale)
    paths = [p.claim1.flops, p.claim1.uniform, p.claim2.retrain, p.claim4.search,
             *p.claim4.arms.values()]
    for path in paths:
        assert path.startswith(f'configs/reproduce/{scale}/') and (REPO / path).is_file(), path
    assert p.claim5.arm in p.claim4.arms
    assert 0 <= p.claim2.lambda_index < len(p.claim1.lambdas)
    assert p.claim4.subnets >= (50 if scale != 'toy' else 3)  # the issue: >= 50 subnets


@pytest.mark.parametrize('path', TRAINED)
def test_pipelines_give_the_configs_image_size(path, tiny_imagenet_demo):
    cfg = load(path)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = dict(cfg[key].dataset, data_root=str(tiny_imagenet_demo))
        sample = DATASETS.build(dataset)[0]
        assert tuple(sample['inputs'].shape) == (3, cfg.img_size, cfg.img_size), key


@pytest.mark.parametrize('scale', SCALES)
def test_atomnas_arms_differ_only_in_the_penalty_costs(scale):
    p = plan(scale)
    flops, uniform = load(p.claim1.flops), load(p.claim1.uniform)
    assert uniform.model.supernet.pop('penalty_costs') == 'uniform'
    assert flops.model.supernet.get('penalty_costs', 'flops') == 'flops'
    assert flops.to_dict() == uniform.to_dict()
    with torch.no_grad():
        model = MODELS.build(load(p.claim1.uniform).model)
    assert model.supernet.penalty_costs == 'uniform'
    assert torch.all(model.supernet.atom_cost_weights == 1)
    # The keys run.py sets exist (a merge would not invent them silently).
    assert 'l1_lambda' in flops.model and 'seed' in flops.randomness
    assert 'arch' in load(p.claim2.retrain).model.backbone


@pytest.mark.parametrize('scale', SCALES)
def test_attentive_arms_share_the_space_and_differ_only_in_the_sampler(scale):
    from benchmarks.reproduce.claims_attentive import search_space
    p = plan(scale)
    search_space(p)  # raises when a training config trains another space
    samplers = {}
    base = None
    for name, path in p.claim4.arms.items():
        cfg = load(path)
        samplers[name] = cfg.model.pop('sampler')
        assert 'seed' in cfg.model
        base = base or cfg.to_dict()
        assert cfg.to_dict() == base, name
    assert samplers['uniform'] == dict(type='UniformSampler')
    assert samplers['bestup3']['mode'] == 'bestup' and samplers['worstup3']['mode'] == 'worstup'
    assert samplers['bestup3']['num_candidates'] == samplers['worstup3']['num_candidates'] == 3
    assert samplers['flops_prior']['type'] == 'FlopsPriorSampler'


@pytest.mark.parametrize('scale', SCALES)
def test_recipes_are_inherited_not_restated(scale):
    # Only sizes change: the optimizer, its schedule type, the hooks (by type)
    # and the supernet's recipe fields are the published demo configs'.
    pairs = [('atomnas-search.py', 'atomnas/atomnas-a-search_demo.py'),
             ('atomnas-retrain.py', 'atomnas/atomnas-exported_demo.py'),
             ('attentivenas-bestup3-loss.py', 'attentivenas/attentivenas-bestup3-loss_demo.py')]
    for mine, demo in pairs:
        a, b = load(f'configs/reproduce/{scale}/{mine}'), load(f'configs/{demo}')
        assert a.optim_wrapper.optimizer.type == b.optim_wrapper.optimizer.type, mine
        assert {k: v for k, v in a.optim_wrapper.optimizer.items() if k != 'lr'} == \
            {k: v for k, v in b.optim_wrapper.optimizer.items() if k != 'lr'}, mine
        sched = [a.param_scheduler] if isinstance(a.param_scheduler, dict) else a.param_scheduler
        demo_sched = [b.param_scheduler] if isinstance(b.param_scheduler, dict) \
            else b.param_scheduler
        assert [s.type for s in sched] == [s.type for s in demo_sched], mine
        assert [h.type for h in a.custom_hooks] == [h.type for h in b.custom_hooks], mine
        assert a.auto_scale_lr.base_batch_size == (b.get('auto_scale_lr') or {}).get(
            'base_batch_size', b.train_dataloader.batch_size)
        a_pipe = [t.type for t in a.train_dataloader.dataset.pipeline]
        assert a_pipe == [t.type for t in b.train_dataloader.dataset.pipeline], mine
