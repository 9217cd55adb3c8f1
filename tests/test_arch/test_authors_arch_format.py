"""The AtomNAS authors' ``model_kwparams`` files load as they are, wherever
an arch is accepted (load_arch, SearchedMobileNet(arch=...), count_flops.py).

The format (meijieru/AtomNAS): utils/common.py ``save_status`` writes
``str(model_kwparams)`` beside each checkpoint, ``model_kwparams`` being
models/mobilenet_base.py ``output_network`` (input_channel, last_channel,
width_mult, round_nearest, active_fn, num_classes, inverted_residual_setting);
the + variants' configs (apps/searched/atomnas_a/atomnas_a+.yml) add
``se_ratio: 0.5``, ``block: InvertedResidualChannelsFused``,
``dropout_ratio: 0.28`` and ``active_fn: 'nn.Swish'``
(models/mobilenet_base.py get_active_fn: 'nn.ReLU6', 'nn.ReLU', 'nn.Swish',
'nn.HSwish'). The kwparams below are those output_network wrote for the
golden fixtures (tools/golden/make_released_fixtures.py).
"""
import pytest

from nas_backbones.arch import load_arch
from nas_backbones.backbones import SearchedMobileNet
from tools.analysis.count_flops import main as count_flops
from tools.golden.released_format import load_manifest

PLUS = {'se_ratio': 0.5, 'block': 'InvertedResidualChannelsFused', 'dropout_ratio': 0.28}


def authors_file(tmp_path, name: str, **overrides):
    kw = dict(load_manifest(name)['kwparams'], **overrides)
    path = tmp_path / f'{name}.yml'
    path.write_text(str(kw))  # save_status: f.write(str(model_kwparams))
    assert "'inverted_residual_setting': [[16, 1, 1, [3], [" in path.read_text()  # Python literal
    return path


@pytest.mark.parametrize('net', ['a', 'b', 'c'])
def test_released_yml_loads_as_the_zoo_arch(tmp_path, net):
    arch = load_arch(str(authors_file(tmp_path, f'atomnas_{net}')))
    zoo = load_arch(f'atomnas_{net}')
    assert arch.blocks == zoo.blocks and (arch.act, arch.se_ratio) == ('relu', 0.0)


@pytest.mark.parametrize('net', ['a', 'b', 'c'])
def test_plus_config_kwparams_load_as_the_plus_arch(tmp_path, net):
    arch = load_arch(str(authors_file(tmp_path, f'atomnas_{net}_plus', **PLUS)))
    assert arch.replace(name='') == load_arch(f'atomnas_{net}_plus').replace(name='')


def test_released_plus_yml_alone_is_what_the_authors_build_from_it(tmp_path):
    # output_network records no SE: the file alone is a Swish net without SE,
    # as MobileNetSearched(**kwparams) builds it; the converter reads SE from
    # the weights (tests/test_engine/test_released_atomnas.py).
    arch = load_arch(str(authors_file(tmp_path, 'atomnas_a_plus')))
    assert (arch.act, arch.se_ratio) == ('swish', 0.0)
    arch = load_arch(str(authors_file(tmp_path, 'atomnas_a_plus', se_ratio=None)))
    assert arch.se_ratio == 0.0  # the authors' `se_ratio: ~`


def test_searched_mobilenet_and_count_flops_take_the_file(tmp_path, capsys):
    path = authors_file(tmp_path, 'atomnas_a_plus', **PLUS)
    net = SearchedMobileNet(arch=str(path))
    zoo = SearchedMobileNet(arch='atomnas_a_plus')
    assert {k: v.shape for k, v in net.state_dict().items()} == \
        {k: v.shape for k, v in zoo.state_dict().items()}
    count_flops([str(path)])
    assert '260.35 MFLOPs, 4.687 M params' in capsys.readouterr().out
    count_flops([str(authors_file(tmp_path, 'atomnas_b'))])
    assert '326.05 MFLOPs, 4.416 M params' in capsys.readouterr().out


def test_shrunk_search_net_with_a_dead_block_loads(tmp_path):
    arch = load_arch(str(authors_file(tmp_path, 'atomnas_a_search_shrunk')))
    assert arch.blocks[3].atoms == () and arch.blocks[3].kernel_sizes == ()


@pytest.mark.parametrize('overrides, field', [
    ({'active_fn': 'nn.ReLU6'}, "active_fn: unsupported activation 'nn.ReLU6'"),
    ({'active_fn': 'nn.HSwish'}, "active_fn: unsupported activation 'nn.HSwish'"),
    ({'se_ratio': 0.5, 'block': 'InvertedResidualChannels'}, "block: SE .* needs"),
    ({'block': 'Fused'}, "block: expected 'InvertedResidualChannels'"),
    ({'dropout_ratio': 0.2, 'dropout': 0.2}, "dropout: give either"),
    ({'width_mult': 1.4}, 'width_mult: only 1.0'),
    ({'batch_norm_momentum': 0.01}, r"unknown field\(s\) \['batch_norm_momentum'\]"),
], ids=['relu6', 'hswish', 'se-unfused', 'block-name', 'dropout-twice', 'width', 'bn'])
def test_what_the_net_cannot_be_fails_naming_the_field(tmp_path, overrides, field):
    with pytest.raises(ValueError, match=field):
        load_arch(str(authors_file(tmp_path, 'atomnas_a', **overrides)))
