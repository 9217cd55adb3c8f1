"""tools/transfer_sweep.py and tools/benchmark_transfer.py end to end on the
fine-grained fixtures (one epoch per run)."""
from pathlib import Path

from tools.benchmark_transfer import main as benchmark_main
from tools.transfer_sweep import main as sweep_main

CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'transfer'


def data_root_options(root: Path, dataset: str) -> list:
    return [f'{key}.dataset.data_root={root / dataset}'
            for key in ('train_dataloader', 'val_dataloader', 'test_dataloader')]


def test_sweep_prints_grid_and_best(tmp_path, finegrained_demo, capsys):
    sweep_main([str(CONFIGS / 'attentivenas-a0_demo_food101.py'), '--lr', '0.01', '0.05',
                '--wd', '0', '--epochs', '1', '--work-dir', str(tmp_path), '--cfg-options',
                *data_root_options(finegrained_demo, 'food101')])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith('| 0.0')]
    assert len(rows) == 2
    assert 'best: lr ' in out and 'optim_wrapper.optimizer.lr=' in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ['lr0.01_wd0', 'lr0.05_wd0']


def test_benchmark_swaps_arch_and_prints_table(tmp_path, finegrained_demo, capsys):
    benchmark_main([str(CONFIGS / 'attentivenas-a0_demo_stanford_cars.py'), '--arch',
                    'atomnas_a', '--resolution', '0', '--epochs', '1', '--work-dir',
                    str(tmp_path), '--cfg-options',
                    *data_root_options(finegrained_demo, 'stanford_cars')])
    out = capsys.readouterr().out
    row = [line for line in out.splitlines() if line.startswith('| StanfordCars')]
    assert len(row) == 1
    dataset, top1, mflops, arch, published = [c.strip() for c in row[0].strip('|').split('|')]
    assert 0.0 <= float(top1) <= 100.0 and float(mflops) > 0
    assert arch == 'atomnas_a' and published == '-'
