"""Arms of the reproduction harness and the store that makes a run resumable.

An arm is one training (``tools/train.py``'s code path: its ``parse_args`` /
``merge_args``, the config's runner built by mmengine, ``runner.train()``),
one evaluation of a checkpoint (``tools/test.py``'s path, ``runner.test()``)
or one evaluation of a fixed list of AttentiveNAS subnets (``tools/search.py``'s
path: its ``build_runner`` and the config's ``EvolutionSearchLoop``, whose
fitness -- top-1 after BN recalibration -- is called on the list). Arms run
in this process, one after another; each writes ``OUT/arms/<id>/result.json``
when it has finished, and a later run with the same settings reads that file
instead of running the arm again. A result file written with other settings
(a changed config or option) is an error, never silently reused.
"""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

REPO = Path(__file__).resolve().parents[2]
KINDS = ('train', 'test', 'eval')


@dataclass
class Arm:
    """One run of the harness.

    Args:
        id (str): Folder name under ``OUT/arms`` (e.g. ``c1_flops_lam1_s0``).
        kind (str): 'train', 'test' or 'eval'.
        config (str): Config path, relative to the repository root.
        seed (int): The seed the arm belongs to (set in ``options`` too).
        options (dict): Config entries merged as ``--cfg-options`` would.
        links (dict): Option key -> (arm id, result field) filled in from an
            earlier arm (the exported arch of a search, ...).
        checkpoint_of (str, optional): Arm whose checkpoint 'test' and
            'eval' arms load.
        drop_hooks (tuple[str]): ``custom_hooks`` types removed ('test').
        require_hooks (tuple[str]): ``custom_hooks`` types that must be there.
        subnets (str, optional): Name of the subnet list an 'eval' arm scores.
        group (int): Execution order: arms run sorted by (group, seed,
            phase), then as listed.
        phase (int): See ``group``.
    """
    id: str
    kind: str
    config: str
    seed: int
    options: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    checkpoint_of: Optional[str] = None
    drop_hooks: tuple = ()
    require_hooks: tuple = ()
    subnets: Optional[str] = None
    group: int = 0
    phase: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f'{self.id}: kind {self.kind!r} not in {KINDS}')
        if self.kind in ('test', 'eval') and not self.checkpoint_of:
            raise ValueError(f'{self.id}: a {self.kind} arm needs checkpoint_of')
        if (self.kind == 'eval') != (self.subnets is not None):
            raise ValueError(f'{self.id}: subnets is set exactly for eval arms')


class StaleArmError(RuntimeError):
    """A result file of an arm holds other settings than this run's."""


def sha(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=repr).encode()).hexdigest()


def git_state() -> str:
    """'<commit>' or '<commit>+dirty' of the checkout the harness runs from."""
    def git(*args):
        return subprocess.run(['git', *args], cwd=REPO, capture_output=True, text=True).stdout
    commit = git('rev-parse', '--short=12', 'HEAD').strip() or 'unknown'
    return commit + ('+dirty' if git('status', '--porcelain', '--untracked-files=no').strip()
                     else '')


def set_data_root(cfg, root: str) -> int:
    """Point every ``data_root`` of ``cfg`` (datasets of all loaders, the
    search loop's too) at ``root``; returns how many were set."""
    count = 0

    def walk(node):
        nonlocal count
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'data_root':
                    node[key] = root
                    count += 1
                else:
                    walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(cfg._cfg_dict)
    if count == 0:
        raise ValueError('data_root: the config has none to point at the reproduce set')
    return count


def release_mmengine_instances(name: str) -> None:
    """Forget the logger, message hub, visualizer and scope a runner named
    ``name`` registered globally (mmengine keeps them by experiment name),
    closing the log file; the next arm's runner registers its own."""
    from mmengine.utils import ManagerMixin

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(ManagerMixin):
        instance = cls.__dict__.get('_instance_dict', {}).pop(name, None)
        if isinstance(instance, logging.Logger):
            for handler in list(instance.handlers):
                handler.close()
                instance.removeHandler(handler)


def build_runner(cfg):
    """The runner tools/train.py and tools/test.py build."""
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    return Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)


class ArmStore:
    """Runs arms into ``out/arms`` and reads back the finished ones.

    Args:
        out (Path): The harness output folder.
        data_root (str): The dataset every config is pointed at.
        subnet_lists (dict): Name -> list of 31-number encodings.
        log (callable): Where progress lines go.
    """

    def __init__(self, out: Path, data_root: str, subnet_lists: dict,
                 log: Callable[[str], None] = print):
        self.out, self.data_root, self.log = Path(out), data_root, log
        self.subnet_lists = subnet_lists
        self.ran: list[str] = []  # arms run by this process (the others were read back)

    def folder(self, arm_id: str) -> Path:
        return self.out / 'arms' / arm_id

    def record(self, arm_id: str) -> dict:
        path = self.folder(arm_id) / 'result.json'
        if not path.is_file():
            raise FileNotFoundError(f'{arm_id}: no result file {path} (the arm has not run)')
        return json.loads(path.read_text())

    def result(self, arm_id: str) -> dict:
        return self.record(arm_id)['result']

    # ----------------------------------------------------------- configs
    def prepare(self, arm: Arm):
        """The arm's config as it will run, and its spec (what the result
        file must match to be reused)."""
        from mmengine.config import Config
        options = dict(arm.options)
        for key, (source, name) in arm.links.items():
            value = self.result(source).get(name)
            if value is None:
                raise ValueError(f'{arm.id}: arm {source} has no {name!r} for option {key}')
            options[key] = value
        work_dir = str(self.folder(arm.id))
        path = str(REPO / arm.config)
        checkpoint = self.result(arm.checkpoint_of)['checkpoint'] if arm.checkpoint_of else None
        if arm.kind == 'train':
            from tools.train import merge_args, parse_args
            args = parse_args([path, '--work-dir', work_dir])
            args.cfg_options = options or None
            cfg = merge_args(Config.fromfile(path), args)
        elif arm.kind == 'test':
            from tools.test import merge_args, parse_args
            args = parse_args([path, checkpoint, '--work-dir', work_dir])
            args.cfg_options = options or None
            cfg = merge_args(Config.fromfile(path), args)
        else:
            cfg = Config.fromfile(path)
            if options:
                cfg.merge_from_dict(options)
            if cfg.get('search_cfg') is None:
                raise ValueError(f'{arm.id}: {arm.config} has no search_cfg')
            cfg.launcher, cfg.work_dir = 'none', work_dir
        set_data_root(cfg, self.data_root)
        cfg.experiment_name = arm.id
        hooks = list(cfg.get('custom_hooks') or [])
        types = [h['type'] for h in hooks]
        missing = [t for t in arm.require_hooks if t not in types]
        if missing:
            raise ValueError(f'{arm.id}: custom_hooks of {arm.config} have no {missing} '
                             f'(they have {types})')
        cfg.custom_hooks = [h for h in hooks if h['type'] not in arm.drop_hooks]
        encodings = self.subnet_lists[arm.subnets] if arm.subnets else None
        spec = dict(kind=arm.kind, config=arm.config, options=options, checkpoint=checkpoint,
                    drop_hooks=list(arm.drop_hooks), subnets=sha(encodings) if encodings else None,
                    cfg_sha=sha(cfg.to_dict()))
        return cfg, spec

    # ----------------------------------------------------------- running
    def ensure(self, arm: Arm) -> dict:
        """The arm's result: read back when it finished with the same spec,
        else run now."""
        cfg, spec = self.prepare(arm)
        folder, path = self.folder(arm.id), self.folder(arm.id) / 'result.json'
        if path.is_file():
            record = json.loads(path.read_text())
            if record['spec_sha'] != sha(spec):
                changed = sorted(k for k in spec if record['spec'].get(k) != spec[k])
                raise StaleArmError(
                    f'{arm.id}: {path} was written with other settings ({", ".join(changed)} '
                    f'differ); delete {folder} to run it again, or pick another --out')
            self.log(f'[reproduce] {arm.id}: finished earlier, result read back')
            return record['result']
        if folder.exists():  # an interrupted arm: start it afresh
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        self.log(f'[reproduce] {arm.id}: running ({arm.kind} {arm.config})')
        load, started, t0 = os.getloadavg(), time.strftime('%Y-%m-%d %H:%M:%S'), time.perf_counter()
        try:
            result = getattr(self, f'_run_{arm.kind}')(arm, cfg)
        finally:
            release_mmengine_instances(arm.id)
        record = dict(id=arm.id, spec=spec, spec_sha=sha(spec), result=result, started=started,
                      wall_s=time.perf_counter() - t0, loadavg_before=load,
                      loadavg_after=os.getloadavg(), git=git_state())
        tmp = path.with_suffix('.tmp')
        tmp.write_text(json.dumps(record, indent=1))
        tmp.rename(path)
        self.ran.append(arm.id)
        self.log(f'[reproduce] {arm.id}: done in {record["wall_s"]:.0f} s')
        return result

    def _run_train(self, arm: Arm, cfg) -> dict:
        from mmengine.model import is_model_wrapper
        from mmengine.runner import find_latest_checkpoint
        from nas_backbones.arch import AtomNetArch
        from nas_backbones.engine import check_data_roots
        from nas_backbones.engine.summary import last_top1, trained_arch
        from nas_backbones.estimators import count_cost
        check_data_roots(cfg, ('train_dataloader', 'val_dataloader'))
        runner = build_runner(cfg)
        t0, c0 = time.perf_counter(), time.process_time()
        runner.train()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        result = dict(top1=last_top1(runner), train_wall_s=wall, train_cpu_s=cpu,
                      iters=runner.iter, epochs=runner.epoch,
                      checkpoint=find_latest_checkpoint(cfg.work_dir))
        arch = trained_arch(runner)
        if isinstance(arch, AtomNetArch):
            cost = count_cost(arch)
            result.update(mflops=cost.mflops, mparams=cost.mparams, atoms=arch.num_atoms)
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        supernet = getattr(model, 'supernet', None)
        if hasattr(supernet, 'space_arch'):  # AtomNAS: the supernet the search started from
            result['supernet_mflops'] = count_cost(supernet.space_arch).mflops
        # AtomNASExportHook's arch file (the searched net, weights beside it).
        exports = [h.paths for h in runner.hooks if type(h).__name__ == 'AtomNASExportHook']
        result['export_arch'] = str(exports[0][0]) if exports and exports[0] else None
        del runner
        return result

    def _run_test(self, arm: Arm, cfg) -> dict:
        from nas_backbones.engine import check_data_roots
        check_data_roots(cfg, ('test_dataloader',))
        runner = build_runner(cfg)
        metrics = runner.test()
        del runner
        return dict(top1=float(metrics['accuracy/top1']), metrics={k: float(v) for k, v in
                                                                   metrics.items()})

    def _run_eval(self, arm: Arm, cfg) -> dict:
        from nas_backbones.estimators.flops import count_flops
        from nas_backbones.registry import LOOPS
        from tools.search import build_runner as search_runner
        checkpoint = self.result(arm.checkpoint_of)['checkpoint']
        search_cfg = cfg.search_cfg
        runner = search_runner(cfg, checkpoint)
        loop = LOOPS.build(search_cfg, default_args=dict(runner=runner))
        space = loop.model.space
        archs = [space.validate(space.decode(g)) for g in self.subnet_lists[arm.subnets]]
        t0 = time.perf_counter()
        acc = [float(a) for a in loop.fitness(archs)]
        wall = time.perf_counter() - t0
        mflops = [count_flops(a, space=space) / 1e6 for a in archs]
        # The search loop's evaluated.csv format (train_acc_predictor.py reads it).
        with (Path(cfg.work_dir) / 'evaluated.csv').open('w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['encoding', 'mflops', 'acc'])
            for a, m, v in zip(archs, mflops, acc):
                w.writerow([' '.join(map(str, a.encode())), f'{m:.2f}', f'{v:.4f}'])
        del runner, loop
        return dict(encodings=[a.encode() for a in archs], mflops=mflops, acc=acc,
                    eval_wall_s=wall, evaluated_csv=str(Path(cfg.work_dir) / 'evaluated.csv'))
