"""The reader of the authors' released checkpoints: both of torch's file
formats load as plain data with the authors' pickled config / meter objects
neutralised; anything that would run code is refused naming the global;
truncated, corrupt and wrong-family files fail naming the problem.

The files are written as the authors' savers write them
(facebookresearch/AttentiveNAS utils/saver.py: save_checkpoint with
_use_new_zipfile_serialization=False and a utils.config.Config ``args``;
meijieru/AtomNAS utils/common.py: save_status with utils.meters.ScalarMeter
``meters``, numpy scalars and a CUDA ``best_val``) by
tools/golden/released_format.py.
"""
import os
import sys

import numpy as np
import pytest
import torch

from nas_backbones.engine.released.reader import (ReleasedCheckpointError, ReleasedDict,
                                                      ReleasedObject, expect_family,
                                                      load_released_checkpoint)
from tools.golden.released_format import write_atomnas_files, write_attentivenas_file

STATE = {'first_conv.conv.conv.weight': torch.arange(6.).view(1, 6, 1, 1),
         'classifier.linear.linear.bias': torch.ones(3)}


@pytest.mark.parametrize('legacy', [True, False], ids=['legacy', 'zip'])
def test_attentivenas_file_loads_with_inert_args(tmp_path, legacy):
    path = write_attentivenas_file(tmp_path / 'a.pth.tar', STATE, legacy=legacy)
    assert 'utils' not in sys.modules  # the writer's look-alikes are gone again
    ckpt = load_released_checkpoint(path)
    assert torch.equal(ckpt['state_dict']['module.first_conv.conv.conv.weight'],
                       STATE['first_conv.conv.conv.weight'])
    args = ckpt['args']
    assert isinstance(args, ReleasedDict) and args.source == 'utils.config.Config'
    assert args['bn_momentum'] == 0 and args['lr_scheduler'].source == 'utils.config.AttrDict'
    assert not hasattr(args, 'supernet_config')  # data only, no AttrDict behaviour
    assert ckpt['epoch'] == 360 and ckpt['lr_scheduler']['warmup_method'] == 'linear'
    expect_family(ckpt, 'attentivenas', path)


@pytest.mark.parametrize('legacy', [True, False], ids=['legacy', 'zip'])
def test_atomnas_file_loads_with_inert_meters(tmp_path, legacy):
    pt, yml = write_atomnas_files(tmp_path / 'ckpt', STATE, STATE, {'input_channel': 16},
                                  legacy=legacy)
    raw = pt.read_bytes()
    assert b'cuda:0' in raw  # best_val was tagged as a CUDA tensor, as on the authors' GPUs
    ckpt = load_released_checkpoint(pt)
    assert ckpt['best_val'].device.type == 'cpu'
    meter = ckpt['meters'][0]['top1_error']
    assert isinstance(meter, ReleasedObject) and meter.source == 'utils.meters.ScalarMeter'
    assert meter.state['values'] == [np.float32(0.25), np.float32(0.5)]
    assert isinstance(meter.state['values'][0], np.float32)
    assert set(ckpt['ema']) == {'info', 'shadow', 'param'}
    expect_family(ckpt, 'atomnas', pt)


class _System:
    def __reduce__(self):
        return (os.system, ('echo pwned > /dev/null',))


class _Eval:
    def __reduce__(self):
        return (eval, ('1 + 1',))


PAYLOADS = [(_System(), os.system.__module__ + '.system'), (_Eval(), 'builtins.eval'),
            (torch.nn.Linear(2, 2), 'torch.nn.modules.linear.Linear')]


@pytest.mark.parametrize('payload, name', PAYLOADS, ids=['os.system', 'eval', 'module'])
@pytest.mark.parametrize('legacy', [True, False], ids=['legacy', 'zip'])
def test_code_in_the_pickle_is_refused_naming_the_global(tmp_path, payload, name, legacy, capfd):
    path = tmp_path / 'evil.pth.tar'
    torch.save({'state_dict': dict(STATE), 'args': payload}, path,
               _use_new_zipfile_serialization=not legacy)
    with pytest.raises(ReleasedCheckpointError, match=f"refusing to unpickle global '{name}'"):
        load_released_checkpoint(path)
    assert 'pwned' not in capfd.readouterr().out


@pytest.mark.parametrize('legacy', [True, False], ids=['legacy', 'zip'])
@pytest.mark.parametrize('keep', [0.1, 0.5, 0.95])
def test_truncated_file_fails_naming_the_problem(tmp_path, legacy, keep):
    full = write_attentivenas_file(tmp_path / 'a.pth.tar', STATE, legacy=legacy).read_bytes()
    cut = tmp_path / 'cut.pth.tar'
    cut.write_bytes(full[:int(len(full) * keep)])
    with pytest.raises(ReleasedCheckpointError, match='truncated or corrupt'):
        load_released_checkpoint(cut)


def test_empty_missing_and_garbage_files(tmp_path):
    with pytest.raises(ReleasedCheckpointError, match='file not found'):
        load_released_checkpoint(tmp_path / 'nope.pt')
    (tmp_path / 'empty.pt').write_bytes(b'')
    with pytest.raises(ReleasedCheckpointError, match='empty file'):
        load_released_checkpoint(tmp_path / 'empty.pt')
    (tmp_path / 'junk.pt').write_bytes(np.random.RandomState(0).bytes(4096))
    with pytest.raises(ReleasedCheckpointError, match='truncated or corrupt'):
        load_released_checkpoint(tmp_path / 'junk.pt')


@pytest.mark.filterwarnings('ignore:`torch.jit.*is deprecated:FutureWarning')
def test_torchscript_archive_is_refused(tmp_path):
    path = tmp_path / 'scripted.pt'
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), str(path))
    with pytest.raises(ReleasedCheckpointError, match='TorchScript archive'):
        load_released_checkpoint(path)


def test_wrong_family_names_what_the_file_is(tmp_path):
    att = write_attentivenas_file(tmp_path / 'a.pth.tar', STATE)
    pt, _ = write_atomnas_files(tmp_path / 'ckpt', STATE, STATE, {'input_channel': 16})
    with pytest.raises(ReleasedCheckpointError,
                       match='a released attentivenas checkpoint .* atomnas_to|'
                             'released attentivenas checkpoint.*not atomnas'):
        expect_family(load_released_checkpoint(att), 'atomnas', att)
    with pytest.raises(ReleasedCheckpointError, match='released atomnas checkpoint.*'
                                                      'atomnas_to_nas_backbones.py'):
        expect_family(load_released_checkpoint(pt), 'attentivenas', pt)
    ours = tmp_path / 'ours.pth'
    torch.save({'state_dict': dict(STATE), 'meta': {}}, ours)
    with pytest.raises(ReleasedCheckpointError, match='written by nas_backbones'):
        expect_family(load_released_checkpoint(ours), 'atomnas', ours)
    other = tmp_path / 'other.pth'
    torch.save({'weights': dict(STATE)}, other)
    with pytest.raises(ReleasedCheckpointError, match=r"top-level keys are \['weights'\]"):
        expect_family(load_released_checkpoint(other), 'atomnas', other)


def test_protocol_2_names_of_plain_types_load(tmp_path):
    # torch.save pickles with protocol 2, which names builtins '__builtin__'.
    path = tmp_path / 'a.pth.tar'
    torch.save({'state_dict': dict(STATE), 'args': {'ids': {1, 2}, 'frozen': frozenset([3]),
                                                    'raw': b'\x00\xff', 'z': 1j}},
               path, _use_new_zipfile_serialization=False)
    assert b'__builtin__' in path.read_bytes()
    args = load_released_checkpoint(path)['args']
    assert args == {'ids': {1, 2}, 'frozen': frozenset([3]), 'raw': b'\x00\xff', 'z': 1j}
