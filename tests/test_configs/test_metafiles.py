"""The root model-index.yml and the metafiles (OpenMMLab's model-index format):
every metafile is indexed, every entry points at an existing config and README
whose backbone is the entry's arch, FLOPs/params are the estimator's counts, and
each published number is the paper's, attached to the protocol that produced it
(the *_3rdparty_in1k configs: the authors' weights and eval protocol)."""
from pathlib import Path

import pytest
import yaml
from mmengine.config import Config
from nas_conftest import REPO

from nas_backbones.arch import load_arch
from nas_backbones.estimators import count_cost

METAFILES = sorted(str(p.relative_to(REPO)) for p in (REPO / 'configs').glob('*/metafile.yml'))


def models(metafile: str) -> list:
    return yaml.safe_load((REPO / metafile).read_text())['Models']


def test_model_index_imports_every_metafile():
    index = yaml.safe_load((REPO / 'model-index.yml').read_text())
    assert sorted(index['Import']) == METAFILES
    assert {'configs/atomnas/metafile.yml', 'configs/attentivenas/metafile.yml',
            'configs/mask_rcnn/metafile.yml', 'configs/transfer/metafile.yml'} <= set(METAFILES)


@pytest.mark.parametrize('metafile', METAFILES)
def test_entries_point_at_existing_configs_of_their_arch(metafile):
    meta = yaml.safe_load((REPO / metafile).read_text())
    for collection in meta['Collections']:
        assert (REPO / collection['README']).is_file(), collection['README']
    assert meta['Models']
    for model in meta['Models']:
        assert (REPO / model['Config']).is_file(), model['Config']
        assert Path(model['Config']).stem == model['Name'], model['Name']
        arch = model['Metadata'].get('Arch') or model['Metadata']['Backbone Arch']
        assert Config.fromfile(REPO / model['Config']).model.backbone.arch == arch, model['Name']


def test_names_are_unique_across_metafiles():
    names = [m['Name'] for metafile in METAFILES for m in models(metafile)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize('method', ['atomnas', 'attentivenas'])
def test_flops_and_params_are_the_estimators(method):
    for model in models(f'configs/{method}/metafile.yml'):
        cost = count_cost(load_arch(model['Metadata']['Arch']))
        assert (model['Metadata']['FLOPs'], model['Metadata']['Parameters']) == \
            (cost.flops, cost.params), model['Name']


@pytest.mark.parametrize('method', ['atomnas', 'attentivenas'])
def test_published_top1_belongs_to_the_right_protocol(method):
    for model in models(f'configs/{method}/metafile.yml'):
        if '_3rdparty_' in model['Name']:
            assert model['Results'][0]['Metrics']['Top 1 Accuracy'] > 70
            assert model['Config'].endswith('_3rdparty_in1k.py')
            assert 'Weights' in model['Converted From']
        elif method == 'attentivenas' or '-plus_' not in model['Name']:
            # AttentiveNAS A0-A6 are supernet subnets and AtomNAS-A/B/C came
            # out of their search runs: no published from-scratch retrain.
            assert 'Results' not in model, model['Name']
        else:
            assert model['Results'][0]['Metrics']['Top 1 Accuracy'] > 75  # + retrained


def test_mask_rcnn_lists_the_papers_results():
    published = {'atomnas_a': (32.7, 30.1), 'atomnas_b': (33.6, 30.8), 'atomnas_c': (34.1, 31.4)}
    for model in models('configs/mask_rcnn/metafile.yml'):
        box, mask = [r['Metrics'] for r in model['Results']]
        arch = model['Metadata']['Backbone Arch']
        assert (box['box AP'], mask['mask AP']) == published.pop(arch)
    assert not published


def test_transfer_lists_the_papers_results():
    published = {('attentivenas_a1', 'flowers102'): 97.4, ('attentivenas_a6', 'flowers102'): 98.6,
                 ('attentivenas_a1', 'stanford_cars'): 91.3,
                 ('attentivenas_a6', 'stanford_cars'): 92.5,
                 ('attentivenas_a1', 'food101'): 88.1, ('attentivenas_a6', 'food101'): 89.6}
    for model in models('configs/transfer/metafile.yml'):
        dataset = Path(model['Config']).stem.split('_', 2)[2]
        top1 = model['Results'][0]['Metrics']['Top 1 Accuracy']
        assert top1 == published.pop((model['Metadata']['Backbone Arch'], dataset))
    assert not published
