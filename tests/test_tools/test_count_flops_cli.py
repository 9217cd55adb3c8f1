"""tools/analysis/count_flops.py prints the published numbers."""
import pytest
from nas_conftest import REPO, PUBLISHED_COSTS, ZOO

from tools.analysis.count_flops import main


@pytest.mark.parametrize('name', ZOO, ids=ZOO)
def test_prints_published_numbers(name, capsys):
    main([name])
    mflops, mparams = PUBLISHED_COSTS[name]
    out = capsys.readouterr().out
    assert f'{mflops:.2f} MFLOPs' in out
    assert f'{mparams:.3f} M params' in out


def test_arch_file(capsys):
    main([str(REPO / 'nas_backbones' / 'arch' / 'zoo' / 'atomnas_b.yml')])
    assert '326.05 MFLOPs, 4.416 M params' in capsys.readouterr().out


def test_config_reads_model_backbone_arch(capsys):
    main([str(REPO / 'configs' / 'attentivenas' / 'attentivenas-a6_8xb256_in1k.py')])
    assert '709.01 MFLOPs, 15.386 M params' in capsys.readouterr().out


def test_per_layer_table(capsys):
    main(['atomnas_c', '--per-layer'])
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:2] == ['layer', 'kind']
    assert any(line.startswith('backbone.blocks.21.project') for line in out)
    assert out[-2].split()[:2] == ['total', '359.86']


def test_other_convention(capsys):
    main(['atomnas_a', '--convention', 'attentivenas'])
    out = capsys.readouterr().out
    assert 'attentivenas convention' in out and '258.29' not in out


@pytest.mark.parametrize('arg', ['atomnas_z', 'no/such/file.yml'])
def test_unknown_arch_exits_with_one_line(arg):
    with pytest.raises(SystemExit) as info:
        main([arg])
    assert str(info.value).startswith('error: ') and '\n' not in str(info.value)
