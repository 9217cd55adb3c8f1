"""Evolutionary search on a trained AttentiveNAS supernet, as an mmengine loop.

Fitness = top-1 on a held-out loader of the subnet after BN recalibration
(N training batches), or the accuracy predictor. Constraints: any
combination of FLOPs, params and latency bounds (latency predicted from a
measured table, ``tools/analysis/build_latency_lut.py``). The search state
is saved to ``{work_dir}/search_state.json`` after every generation, so an
interrupted search resumes where it stopped. Writes ``evaluated.csv`` (the
input of tools/analysis/train_acc_predictor.py), ``pareto.json``/``.csv``,
``pareto.png`` (over ``pareto_axis``) and ``best_arch.yml``; with
``verify_latency`` the best arch is also measured end to end with the
table's settings and compared with the budget.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Optional, Sequence, Union

import torch
from mmengine import dist
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from ...arch import AttentiveArch
from ...registry import LOOPS
from ...samplers.acc_predictor import ForestPredictor
from ...samplers.constraints import UNITS, ResourceConstraints
from ...samplers.evolution import EvolutionSearch, check_budget

FITNESS = ('accuracy', 'predictor')


@LOOPS.register_module()
class EvolutionSearchLoop(BaseLoop):
    """Evolution under a FLOPs budget.

    Args:
        runner: The runner (its model must be ``AttentiveNAS``).
        dataloader (dict | DataLoader): Held-out data for the top-1 fitness.
        calib_dataloader (dict | DataLoader, optional): Training data for BN
            recalibration; defaults to ``dataloader``.
        calib_batches (int): Batches of BN recalibration. Defaults to 64.
        eval_batches (int, optional): Cap on held-out batches per arch.
        cache_data (bool): Keep the batches in memory across archs (they are
            the same for every arch). Defaults to True.
        fitness (str): 'accuracy' or 'predictor'. Defaults to 'accuracy'.
        predictor (str, optional): Forest npz for 'predictor'; defaults to
            the authors' forest.
        min_mflops, max_mflops (float): The FLOPs budget.
        min_mparams, max_mparams (float): A params budget (M, AttentiveNAS
            convention). Defaults to none.
        min_latency_ms, max_latency_ms (float): A latency budget (ms,
            predicted from ``latency_lut``). Defaults to none.
        latency_lut (str, optional): Latency table of the search space
            (1000 classes), needed by a latency budget or axis.
        pareto_axis (str, optional): 'mflops', 'mparams' or 'latency_ms';
            defaults to 'latency_ms' with a latency budget, else 'mflops'.
        verify_latency (bool): Measure the best arch end to end with the
            table's settings at the end (needs ``latency_lut``). Defaults to
            False.
        population_size, num_parents, num_mutations, mutation_prob,
        num_crossovers, generations: Evolution settings (defaults
            512/128/128/0.1/128/20, as published).
        strategy (str): Parent/population rule: 'top_k' (default) or
            'alphanet', the authors' released search (see
            ``samplers.EvolutionSearch``). Defaults to 'top_k'.
        bucket_mflops (float): FLOPs bucket width of the 'alphanet' parent
            set. Defaults to 10.
        seed (int): Seed of the search's ``random.Random``. Defaults to 0.
        resume (bool): Continue from ``search_state.json``. Defaults to True.
    """

    def __init__(self, runner, dataloader, calib_dataloader=None, calib_batches: int = 64,
                 eval_batches: Optional[int] = None, cache_data: bool = True,
                 fitness: str = 'accuracy', predictor: Optional[str] = None,
                 min_mflops: float = 0.0, max_mflops: float = float('inf'),
                 population_size: int = 512, num_parents: int = 128, num_mutations: int = 128,
                 mutation_prob: float = 0.1, num_crossovers: int = 128, generations: int = 20,
                 strategy: str = 'top_k', bucket_mflops: float = 10.0, seed: int = 0,
                 resume: bool = True, min_mparams: float = 0.0,
                 max_mparams: float = float('inf'), min_latency_ms: float = 0.0,
                 max_latency_ms: float = float('inf'), latency_lut: Optional[str] = None,
                 pareto_axis: Optional[str] = None, verify_latency: bool = False):
        super().__init__(runner, dataloader)
        if fitness not in FITNESS:
            raise ValueError(f'fitness: {fitness!r} not in {FITNESS}')
        self.model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        check_budget(self.model.space, min_mflops, max_mflops)
        if verify_latency and latency_lut is None:
            raise ValueError('verify_latency: needs latency_lut')
        self.constraints = ResourceConstraints(
            self.model.space, mflops=(min_mflops, max_mflops), mparams=(min_mparams, max_mparams),
            latency_ms=(min_latency_ms, max_latency_ms), latency=latency_lut, axis=pareto_axis)
        self.verify_latency = verify_latency
        self.calib_loader = (runner.build_dataloader(calib_dataloader, seed=runner.seed)
                             if isinstance(calib_dataloader, dict) else calib_dataloader)
        self.calib_batches, self.eval_batches, self.cache_data = calib_batches, eval_batches, cache_data
        self.fitness_kind = fitness
        self.predictor = ForestPredictor.load(predictor) if fitness == 'predictor' and predictor \
            else (ForestPredictor.load() if fitness == 'predictor' else None)
        self.generations, self.resume = generations, resume
        self.search = EvolutionSearch(
            self.model.space, self.fitness, random.Random(seed), population_size=population_size,
            num_parents=num_parents, num_mutations=num_mutations, mutation_prob=mutation_prob,
            num_crossovers=num_crossovers, strategy=strategy, bucket_mflops=bucket_mflops,
            constraints=self.constraints)
        self.out_dir = Path(runner.work_dir)
        self._cache: dict[str, list] = {}

    # ------------------------------------------------------------- fitness
    def _batches(self, name: str, loader, limit: Optional[int]) -> list:
        if name in self._cache:
            return self._cache[name]
        out = []
        for i, data in enumerate(loader):
            if limit is not None and i >= limit:
                break
            out.append(data)
        if self.cache_data:
            self._cache[name] = out
        return out

    @torch.no_grad()
    def top1(self, arch: AttentiveArch) -> float:
        """Top-1 (%) of ``arch`` on the held-out loader after BN recalibration."""
        model = self.model
        calib = self._batches('calib', self.calib_loader or self.dataloader, self.calib_batches)
        model.set_eval_arch(arch)
        model.recalibrate(calib, len(calib))  # averaged over the ranks
        model.eval()
        correct = total = 0
        for data in self._batches('eval', self.dataloader, self.eval_batches):
            data = model.data_preprocessor(data, False)
            logits = model(data['inputs'], mode='tensor')
            labels = torch.cat([ds.gt_label for ds in data['data_samples']]).to(logits.device)
            correct += int((logits.argmax(1) == labels).sum())
            total += len(labels)
        counts = torch.tensor([correct, total], dtype=torch.float64)
        if dist.get_world_size() > 1:
            dist.all_reduce(counts)
        return float(100.0 * counts[0] / counts[1].clamp(min=1))

    def fitness(self, archs: Sequence[AttentiveArch]) -> list[float]:
        if self.predictor is not None:
            return self.predictor.predict_archs(archs).tolist()
        return [self.top1(a) for a in archs]

    # ----------------------------------------------------------------- run
    @property
    def state_file(self) -> Path:
        return self.out_dir / 'search_state.json'

    def resources(self, genes) -> str:
        """'279.24 MFLOPs, 9.532 M params, 12.31 ms' of an encoding."""
        v = self.constraints.values(genes)
        fmt = {'mflops': '.2f', 'mparams': '.3f', 'latency_ms': '.2f'}
        return ', '.join(f'{v[n]:{fmt[n]}} {UNITS[n]}' for n in self.constraints.names)

    def _after_generation(self, search: EvolutionSearch) -> None:
        best = search.best()
        fit, _ = search.evaluated[best.key()]
        self.runner.logger.info(
            f'generation {search.generation}/{self.generations}: {len(search.evaluated)} archs '
            f'evaluated; best {fit:.2f} at {self.resources(best.key())}')
        if dist.is_main_process():
            self.state_file.write_text(json.dumps(search.state_dict()))

    def run(self) -> AttentiveArch:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.resume and self.state_file.is_file():
            self.search.load_state_dict(json.loads(self.state_file.read_text()))
            self.runner.logger.info(f'resumed search at generation {self.search.generation} '
                                    f'from {self.state_file}')
        self.runner.logger.info(f'search constraints: {self.constraints.describe()}; Pareto '
                                f'axis {self.constraints.axis}')
        best = self.search.run(self.generations, self._after_generation)
        if dist.is_main_process():
            self.write_results(best)
        return best

    def write_results(self, best: AttentiveArch) -> dict:
        """Write evaluated.csv, pareto.{json,csv,png} and best_arch.yml."""
        s, out, c = self.search, self.out_dir, self.constraints
        names, axis = c.names, c.axis
        digits = {'mflops': 2, 'mparams': 3, 'latency_ms': 3}
        with (out / 'evaluated.csv').open('w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['encoding', *names, 'acc'])
            for g, (fit, _) in s.evaluated.items():
                v = c.values(g)
                w.writerow([' '.join(map(str, g)), *(f'{v[n]:.{digits[n]}f}' for n in names),
                            f'{fit:.4f}'])
        front = [(c.values(g), fit, g) for _, fit, g in s.pareto(axis)]
        rows = [{**{n: round(v[n], digits[n]) for n in names}, 'fitness': fit,
                 'arch': s.space.decode(g).to_dict()} for v, fit, g in front]
        (out / 'pareto.json').write_text(json.dumps(rows, indent=1))
        with (out / 'pareto.csv').open('w', newline='') as f:
            w = csv.writer(f)
            w.writerow([*names, 'fitness', 'encoding'])
            for v, fit, g in front:
                w.writerow([*(f'{v[n]:.{digits[n]}f}' for n in names), f'{fit:.4f}',
                            ' '.join(map(str, g))])
        self._plot(front)
        fit, _ = s.evaluated[best.key()]
        active = c.active_bounds()
        tags = [f'{active[n][1]:g}{suffix}' for n, suffix in
                (('mflops', 'mflops'), ('mparams', 'mparams'), ('latency_ms', 'ms'))
                if n in active and active[n][1] < c.space_range[n][1]]
        name = '_'.join(['search', *tags])
        result = {'fitness': fit, **c.values(best.key())}
        measured = ''
        if self.verify_latency:
            result['measured_latency_ms'] = self.measure_latency(best)
            hi = c.bounds.get('latency_ms', (0, float('inf')))[1]
            verdict = ('' if hi == float('inf') else
                       f', {"within" if result["measured_latency_ms"] <= hi else "OVER"} the '
                       f'{hi:g} ms budget')
            measured = (f'; measured {result["measured_latency_ms"]:.2f} ms end to end (predicted '
                        f'{result["latency_ms"]:.2f} ms{verdict})')
        best = best.replace(name=name, num_classes=self.model.supernet.num_classes)
        path = best.save(out / 'best_arch.yml')
        self.runner.logger.info(f'best arch: {self.fitness_kind} {fit:.2f}, '
                                f'{self.resources(best.key())}{measured} -> {path}')
        print(f'[nas_backbones] search: best {self.fitness_kind} {fit:.2f} at '
              f'{self.resources(best.key())}{measured} ({len(s.evaluated)} archs evaluated) | '
              f'arch: {path} | pareto: {out / "pareto.csv"}', flush=True)
        return {'best_arch': str(path), **result}

    def measure_latency(self, arch: AttentiveArch) -> float:
        """End-to-end latency (ms) of ``arch`` (1000 classes, as predicted)
        with the latency table's settings: its rounds, each a median."""
        from ...ops.latency_probe import measure_arch_ms
        from ...ops.timing import TimingConfig
        settings = self.constraints.latency.table.settings
        cfg = TimingConfig.from_settings(settings)
        return min(measure_arch_ms(arch, cfg, self.model.space)
                   for _ in range(settings.get('rounds', 1)))

    def _plot(self, front) -> None:
        try:
            import matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt
        except ImportError:  # the plot is a convenience; the CSV/JSON hold the data
            self.runner.logger.warning('matplotlib missing: pareto.png not written')
            return
        s, axis = self.search, self.constraints.axis
        fig, ax = plt.subplots(figsize=(6, 4))
        pts = [(self.constraints.values(g)[axis], fit) for g, (fit, _) in s.evaluated.items()]
        ax.scatter([x for x, _ in pts], [v for _, v in pts], s=4, alpha=0.3, label='evaluated')
        ax.plot([v[axis] for v, _, _ in front], [fit for _, fit, _ in front], 'r.-',
                label='Pareto')
        lo, hi = self.constraints.bounds.get(axis, (0.0, float('inf')))
        for bound in (lo, hi):
            if 0 < bound < float('inf'):
                ax.axvline(bound, color='0.5', ls='--', lw=1)
        ax.set_xlabel({'mflops': 'MFLOPs', 'mparams': 'params (M)',
                       'latency_ms': 'predicted latency (ms)'}[axis])
        ax.set_ylabel(self.fitness_kind)
        ax.legend()
        fig.tight_layout()
        fig.savefig(self.out_dir / 'pareto.png', dpi=100)
        plt.close(fig)
