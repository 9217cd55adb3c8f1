"""Arch files: every zoo arch survives save/load, and malformed files fail
with a ValueError that names the offending field."""
import json

import pytest
import yaml
from nas_conftest import ZOO

from nas_backbones.arch import default_attentive_space, load_arch


@pytest.mark.parametrize('suffix', ['.yml', '.json'])
@pytest.mark.parametrize('name', ZOO, ids=ZOO)
def test_round_trip(tmp_path, name, suffix):
    arch = load_arch(name)
    path = arch.save(tmp_path / f'{name}{suffix}')
    assert load_arch(str(path)) == arch


def test_published_atomnas_file_loads(tmp_path):
    # The authors' format: a Python-literal dict with 'active_fn', over several
    # lines as their released atomnas_a.yml (meijieru/AtomNAS
    # apps/searched/models/); the kwparams their output_network wrote.
    import pprint

    from tools.golden.released_format import load_manifest
    reference = tmp_path / 'atomnas_a.yml'
    reference.write_text(pprint.pformat(load_manifest('atomnas_a')['kwparams'], width=60))
    assert reference.read_text().count('\n') > 5
    published = load_arch(str(reference))
    assert published.blocks == load_arch('atomnas_a').blocks


def write(tmp_path, data, suffix='.yml'):
    path = tmp_path / f'arch{suffix}'
    path.write_text(json.dumps(data) if suffix == '.json' else yaml.safe_dump(data))
    return str(path)


def atomnas_dict():
    data = load_arch('atomnas_a').to_dict()
    data['inverted_residual_setting'] = [list(r) for r in data['inverted_residual_setting']]
    return data


def attentive_dict():
    return load_arch('attentivenas_a0').to_dict()


def set_row(data, row, col, value):
    rows = [list(r) for r in data['inverted_residual_setting']]
    rows[row][col] = value
    data['inverted_residual_setting'] = rows
    return data


MALFORMED = {
    # id: (mapping, field the message must name)
    'attentive-width-length': ({**attentive_dict(), 'width': [16] * 8}, 'width'),
    'attentive-depth-length': ({**attentive_dict(), 'depth': [1] * 6}, 'depth'),
    'attentive-even-kernel': ({**attentive_dict(), 'kernel': [4] + [3] * 6}, r'kernel\[0\]'),
    'attentive-unknown-key': ({**attentive_dict(), 'kernels': [3] * 7}, 'unknown field'),
    'attentive-wrong-type': ({**attentive_dict(), 'type': 'atomnas'}, 'type'),
    'atomnas-kernel-not-in-space': (set_row(atomnas_dict(), 1, 3, [3, 4, 7]), 'kernel_sizes'),
    'atomnas-negative-atoms': (set_row(atomnas_dict(), 2, 4, [19, -2, 1]), 'atoms'),
    'atomnas-atoms-length': (set_row(atomnas_dict(), 2, 4, [19, 2]), 'atoms'),
    'atomnas-row-length': (set_row(atomnas_dict(), 3, 5, None) | {
        'inverted_residual_setting': [[24, 1, 2, [3], [4]]]}, r'inverted_residual_setting\[0\]'),
    'atomnas-bad-stride': (set_row(atomnas_dict(), 1, 2, 3), 'stride'),
    'atomnas-unknown-key': ({**atomnas_dict(), 'se_ration': 0.5}, 'unknown field'),
    'atomnas-unknown-activation': ({**atomnas_dict(), 'act': 'gelu'}, 'act'),
    'unknown-type': ({**atomnas_dict(), 'type': 'darts'}, 'type'),
}


@pytest.mark.parametrize('suffix', ['.yml', '.json'])
@pytest.mark.parametrize('case', list(MALFORMED), ids=list(MALFORMED))
def test_malformed_file_names_the_field(tmp_path, case, suffix):
    data, field = MALFORMED[case]
    with pytest.raises(ValueError, match=field) as info:
        load_arch(write(tmp_path, data, suffix))
    assert '\n' not in str(info.value)  # one line


@pytest.mark.parametrize('resolution', [200, 320])
def test_resolution_not_in_space_is_named(resolution):
    arch = load_arch('attentivenas_a0').replace(resolution=resolution)
    with pytest.raises(ValueError, match='resolution'):
        default_attentive_space().validate(arch)


def test_kernel_not_in_space_is_named():
    arch = load_arch('attentivenas_a0').replace(kernel=(3, 3, 7, 3, 3, 3, 3))
    with pytest.raises(ValueError, match=r'kernel\[2\]'):
        default_attentive_space().validate(arch)


@pytest.mark.parametrize('name', [n for n in ZOO if n.startswith('attentivenas')])
def test_published_attentive_archs_are_in_the_space(name):
    assert default_attentive_space().contains(load_arch(name))


def test_unknown_zoo_name_lists_the_zoo():
    with pytest.raises(FileNotFoundError, match='atomnas_a'):
        load_arch('atomnas_z')


def test_unparsable_file_is_named(tmp_path):
    path = tmp_path / 'broken.yml'
    path.write_text('[1, 2')
    with pytest.raises(ValueError, match='broken.yml'):
        load_arch(str(path))
