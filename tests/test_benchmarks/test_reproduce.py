"""benchmarks/reproduce: the verdict rule, the statistics behind each claim,
the report writer and the resumable arm store (no training here; the whole
harness runs in test_reproduce_e2e.py)."""
import json
import math

import numpy as np
import pytest
from PIL import Image

from benchmarks.reproduce import run, stats
from benchmarks.reproduce.arms import Arm, ArmStore, StaleArmError
from benchmarks.reproduce.report import ClaimReport, md_table, plot_bars, plot_claim1, \
    plot_claim5, plot_fronts, plot_relative_bins, write_report
from benchmarks.reproduce.stats import (INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED,
                                        compare_arms, compare_paired, compare_to_reference)


# ---------------------------------------------------------------- verdict rule
@pytest.mark.parametrize('diff,spread,n,expected', [
    (1.0, 0.5, 3, REPRODUCED), (-1.0, 0.5, 3, NOT_REPRODUCED), (0.4, 0.5, 3, INCONCLUSIVE),
    (-0.5, 0.5, 3, INCONCLUSIVE), (1.0, 0.0, 3, REPRODUCED), (5.0, math.nan, 1, INCONCLUSIVE),
    (math.nan, 0.1, 3, INCONCLUSIVE)])
def test_verdict_rule(diff, spread, n, expected):
    assert stats.verdict_of(diff, spread, n) == expected


def test_two_arms_use_the_larger_std_in_the_papers_direction():
    a, b = [75.0, 76.0, 77.0], [74.0, 74.5, 75.0]  # stds 1.0 and 0.5
    up = compare_arms('a over b', a, b)
    assert up.diff == pytest.approx(76.0 - 74.5) and up.spread == pytest.approx(1.0)
    assert up.verdict == REPRODUCED
    # The paper saying "a is lower" flips the sign, not the spread.
    down = compare_arms('a under b', a, b, a_higher=False)
    assert down.diff == pytest.approx(-1.5) and down.verdict == NOT_REPRODUCED
    close = compare_arms('within spread', [75.0, 76.0, 77.0], [75.5, 75.5, 75.6])
    assert close.verdict == INCONCLUSIVE


def test_paired_spread_is_the_std_of_the_differences():
    # Seeds vary a lot, the paired gain does not: unpaired it is within the
    # spread, paired it is clearly there.
    on, off = [60.0, 70.0, 80.0], [59.0, 69.2, 78.8]
    assert compare_arms('unpaired', on, off).verdict == INCONCLUSIVE
    paired = compare_paired('paired', on, off)
    diffs = np.array(on) - np.array(off)
    assert paired.diff == pytest.approx(diffs.mean())
    assert paired.spread == pytest.approx(diffs.std(ddof=1))
    assert paired.verdict == REPRODUCED
    with pytest.raises(ValueError, match='paired'):
        compare_paired('bad', [1.0], [1.0, 2.0])


def test_reference_comparison_both_directions():
    ratio = compare_to_reference('ratio <= 1.2', [1.05, 1.10, 1.15], 1.2, higher=False)
    assert ratio.diff == pytest.approx(0.1) and ratio.spread == pytest.approx(0.05)
    assert ratio.verdict == REPRODUCED
    tau = compare_to_reference('tau >= 0.87', [0.60, 0.62, 0.58], 0.87)
    assert tau.verdict == NOT_REPRODUCED
    assert compare_to_reference('one seed', [0.95], 0.87).verdict == INCONCLUSIVE


def test_summary_format():
    assert stats.summarize([1.0, 2.0, 3.0]).fmt(2) == '2.00 ± 1.00'
    assert stats.summarize([4.0]).fmt(1) == '4.0 ± n/a'


# ---------------------------------------------------------------- claim maths
def test_matched_flops_interpolation():
    curves = [([1.0, 2.0, 4.0], [60.0, 70.0, 74.0]), ([1.5, 3.0, 5.0], [50.0, 65.0, 70.0])]
    assert stats.common_flops_range(curves) == (1.5, 4.0)
    assert stats.interp_at(*curves[0], 3.0) == pytest.approx(72.0)
    # Unsorted points and repeated FLOPs (a lambda that shrank nothing more).
    assert stats.interp_at([2.0, 1.0, 2.0], [70.0, 60.0, 72.0], 1.5) == pytest.approx(65.5)
    assert stats.common_flops_range([([1.0, 2.0], [0, 0]), ([3.0, 4.0], [0, 0])]) is None
    with pytest.raises(ValueError, match='outside'):
        stats.interp_at([1.0, 2.0], [1.0, 2.0], 2.5)


def test_pareto_front_matches_the_search_loops_definition():
    from nas_backbones.samplers.evolution import EvolutionSearch
    rng = np.random.default_rng(0)
    flops, acc = rng.integers(1, 30, 60).astype(float), rng.integers(50, 80, 60).astype(float)
    search = EvolutionSearch.__new__(EvolutionSearch)  # only its pareto() is used
    search.evaluated = {(i,): (acc[i], flops[i]) for i in range(60)}
    expected = [(f, a) for f, a, _ in search.pareto()]
    assert [(flops[i], acc[i]) for i in stats.pareto_front(flops, acc)] == expected


def test_flops_bins_scores():
    flops = [5.0, 1.0, 3.0, 2.0, 4.0, 6.0]
    bins = stats.flops_bins(flops, 3)
    assert bins.tolist() == [2, 0, 1, 0, 1, 2]
    acc = [70.0, 50.0, 62.0, 56.0, 66.0, 71.0]
    assert stats.bin_max(acc, bins).tolist() == [56.0, 66.0, 71.0]
    assert stats.front_score(acc, bins) == pytest.approx((56 + 66 + 71) / 3)
    assert stats.low_bin_mean(acc, bins) == pytest.approx(53.0)
    with pytest.raises(ValueError, match='bins'):
        stats.flops_bins(flops, 7)


# ---------------------------------------------------------------- report
def test_report_names_rule_machine_and_every_verdict(tmp_path):
    figs = tmp_path / 'figures'
    figs.mkdir()
    points = {arm: [dict(mflops=f, top1=a, **{'lambda': lam}) for f, a, lam in rows]
              for arm, rows in dict(flops=[(1.0, 60, 1), (1.2, 61, 1), (2.0, 65, 0)],
                                    uniform=[(1.5, 58, 1), (1.7, 59, 1), (3.0, 66, 0)]).items()}
    plot_claim1(points, 1.6, dict(flops=[62.0, 63.0], uniform=[59.5, 59.0]),
                figs / 'claim1.png')
    plot_bars(dict(on=[1.0, 2.0], off=[0.5, 1.0]), [0, 1], 'top-1', 't', figs / 'bars.png')
    mflops = np.linspace(1, 5, 10)
    accs = {a: np.random.default_rng(i).uniform(50, 70, (2, 10)) for i, a in
            enumerate(('uniform', 'bestup3'))}
    plot_fronts(mflops, accs, {a: stats.pareto_front(mflops, v.mean(0)) for a, v in
                               accs.items()}, figs / 'fronts.png')
    plot_relative_bins([1.0, 3.0], dict(bestup3=[[0.5, -0.2], [0.1, 0.3]]), figs / 'rel.png')
    plot_claim5({0: ([60, 61, 65], [60.5, 61.0, 64.0], 1.0)}, figs / 'c5.png')
    for png in figs.iterdir():
        assert Image.open(png).size[0] > 100
    claims = [ClaimReport(1, 'one', 'Table 2', comparisons=[compare_arms('x', [2, 3], [0, 1])],
                          figures=['claim1.png'], measured='m1'),
              ClaimReport(5, 'five', 'Fig. 4', comparisons=[
                  compare_to_reference('tau', [0.5, 0.6], 0.87)], measured='m5')]
    header = dict(scale='toy', command='python benchmarks/reproduce/run.py --scale toy',
                  git='abc', arms_run=2, arms_reused=1, arm_minutes=0.5, load=2.0,
                  data='10 classes', seeds=[0, 1], plan='configs/reproduce/toy/plan.py')
    path = write_report(tmp_path / 'REPORT.md', claims, header, [['arm', 'train', 'c', 0, '1',
                                                                 '0.1', 'now', 'abc']], 'n')
    text = path.read_text()
    assert stats.RULE in text and 'Model name' in text and 'load >= 1' in text
    assert '| 1. one | Table 2 | m1 | **reproduced in direction** |' in text
    assert '| 5. five | Fig. 4 | m5 | **not reproduced** |' in text
    assert '![claim 1](figures/claim1.png)' in text
    assert md_table(['a', 'b'], [[1, 2]]) == '| a | b |\n|---|---|\n| 1 | 2 |'


# ---------------------------------------------------------------- arms, resume
def toy_arm(**kw):
    kw.setdefault('options', {'model.l1_lambda': 1e-3, 'randomness.seed': 0})
    return Arm('c1_flops_lam0_s0', 'train', 'configs/reproduce/toy/atomnas-search.py', 0, **kw)


def test_finished_arm_is_read_back_and_changed_settings_refused(tmp_path, monkeypatch):
    calls = []

    def fake_train(self, arm, cfg):
        calls.append(cfg)
        return dict(top1=50.0, checkpoint=str(tmp_path / 'x.pth'))

    monkeypatch.setattr(ArmStore, '_run_train', fake_train)
    store = ArmStore(tmp_path / 'out', str(tmp_path / 'data'), {}, log=lambda s: None)
    assert store.ensure(toy_arm()) == dict(top1=50.0, checkpoint=str(tmp_path / 'x.pth'))
    cfg = calls[0]
    # The arm's settings reach the config tools/train.py would run, pointed at the data.
    assert cfg.model.l1_lambda == 1e-3 and cfg.randomness.seed == 0
    assert cfg.train_dataloader.dataset.data_root == str(tmp_path / 'data')
    assert cfg.work_dir == str(tmp_path / 'out' / 'arms' / 'c1_flops_lam0_s0')
    record = json.loads((store.folder('c1_flops_lam0_s0') / 'result.json').read_text())
    assert record['spec']['options'] == {'model.l1_lambda': 1e-3, 'randomness.seed': 0}
    again = ArmStore(tmp_path / 'out', str(tmp_path / 'data'), {}, log=lambda s: None)
    assert again.ensure(toy_arm())['top1'] == 50.0 and len(calls) == 1 and again.ran == []
    with pytest.raises(StaleArmError, match='options.*delete'):
        again.ensure(toy_arm(options={'model.l1_lambda': 2e-3, 'randomness.seed': 0}))
    with pytest.raises(StaleArmError, match='cfg_sha'):  # same options, other data
        ArmStore(tmp_path / 'out', str(tmp_path / 'other'), {}, log=lambda s: None).ensure(
            toy_arm())


def test_interrupted_arm_starts_afresh_and_links_need_finished_arms(tmp_path, monkeypatch):
    monkeypatch.setattr(ArmStore, '_run_train', lambda self, arm, cfg: dict(
        top1=1.0, left=sorted(p.name for p in self.folder(arm.id).iterdir())))
    store = ArmStore(tmp_path, str(tmp_path / 'data'), {}, log=lambda s: None)
    stale = store.folder('c1_flops_lam0_s0')
    stale.mkdir(parents=True)
    (stale / 'epoch_1.pth').write_text('half-written')
    assert store.ensure(toy_arm())['left'] == []
    retrain = Arm('c2_retrain_s0', 'train', 'configs/reproduce/toy/atomnas-retrain.py', 0,
                  links={'model.backbone.arch': ('c1_flops_lam9_s0', 'export_arch')})
    with pytest.raises(FileNotFoundError, match='c1_flops_lam9_s0'):
        store.ensure(retrain)
    with pytest.raises(ValueError, match='export_arch'):
        store.ensure(Arm('c2_retrain_s0', 'train', 'configs/reproduce/toy/atomnas-retrain.py',
                         0, links={'model.backbone.arch': ('c1_flops_lam0_s0',
                                                           'export_arch')}))


def test_test_arm_refuses_a_recipe_without_the_required_hook(tmp_path, monkeypatch):
    monkeypatch.setattr(ArmStore, '_run_train', lambda self, arm, cfg: dict(
        checkpoint=str(tmp_path / 'c.pth')))
    store = ArmStore(tmp_path, str(tmp_path / 'data'), {}, log=lambda s: None)
    store.ensure(toy_arm())
    arm = Arm('c3_x_s0', 'test', 'configs/reproduce/toy/atomnas-search.py', 0,
              checkpoint_of='c1_flops_lam0_s0', require_hooks=('NoSuchHook',))
    with pytest.raises(ValueError, match="c3_x_s0: custom_hooks .* have no \\['NoSuchHook'\\]"):
        store.ensure(arm)
    with pytest.raises(ValueError, match='checkpoint_of'):
        Arm('c3_y_s0', 'test', 'configs/reproduce/toy/atomnas-search.py', 0)


# ---------------------------------------------------------------- arm plan
def test_claims_build_on_each_other_in_execution_order():
    plan = run.load_plan('toy')
    arms = run.collect_arms(plan, [2, 3], [0, 1])
    ids = [a.id for a in arms]
    assert len(ids) == len(set(ids))
    # Claims 2 and 3 need claim 1's resource-aware search at lambdas[1] (and
    # nothing else of claim 1); each seed's retrain right after its search.
    assert ids[:4] == ['c1_flops_lam1_s0', 'c2_retrain_s0', 'c3_bn-on_s0', 'c3_bn-off_s0']
    assert not any(i.startswith('c1_uniform') for i in ids)
    all_ids = [a.id for a in run.collect_arms(plan, [1, 2, 3, 4, 5], [0, 1])]
    assert all_ids.index('c4_uniform_s0') > all_ids.index('c1_uniform_lam1_s1')
    assert all_ids.index('c5_eval_uniform_s0') > all_ids.index('c4_uniform_s0')
    assert run.parse_claims('5,1') == [1, 5]
    for bad in ('6', 'x', ''):
        with pytest.raises(Exception, match='--claims'):
            run.parse_claims(bad)


def test_subnet_lists_are_fixed_and_span_the_space():
    from benchmarks.reproduce.claims_attentive import random_subnets, search_space, subnet_lists
    plan = run.load_plan('toy')
    space = search_space(plan)
    lists = subnet_lists(plan)
    assert lists == subnet_lists(plan)  # the same subnets for every supernet and rerun
    c4 = [space.decode(g) for g in lists['claim4']]
    assert len({a.key() for a in c4}) == plan.claim4.subnets
    assert c4[0].encode() == space.min_arch().encode()
    assert c4[-1].encode() == space.max_arch().encode()
    assert len(lists['claim5']) == plan.claim5.subnets
    assert random_subnets(space, 5, 3) != random_subnets(space, 5, 4)
