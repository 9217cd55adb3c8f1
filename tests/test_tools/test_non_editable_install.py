"""``pip install .`` (non-editable) and the tools that generate configs and
export, run from a directory outside the checkout.

Nothing in the package may find the checkout through its own location
(``Path(__file__).parents``): installed, the package lives in site-packages
and the configs are wherever the user's checkout is, named on the command
line (``--configs``). The zoo arch files are package data and must be in the
wheel. The installed copy, not the checkout, must be what runs: PYTHONPATH
is stripped and the cwd is a temporary folder.
"""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import torch

from nas_conftest import REPO, export_checkpoint

pytestmark = pytest.mark.slow  # a wheel build and a venv: ~1-2 min


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900,
                          **kwargs)


def _clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
    env.update(extra)
    return env


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """(python of a fresh venv with the checkout installed non-editable, cwd
    outside the checkout)."""
    tmp = tmp_path_factory.mktemp('non_editable')
    # Build from a copy: pip/setuptools write build/ and *.egg-info into the
    # source folder, which must not land in the checkout.
    src = tmp / 'src'
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        '.git', '__pycache__', '*.egg-info', 'build', 'work_dirs', 'data', '.pytest_cache'))
    venv = tmp / 'venv'
    _ok(_run([sys.executable, '-m', 'venv', '--system-site-packages', venv]))
    python = venv / 'bin' / 'python'
    if sys.prefix != sys.base_prefix:  # inside a venv (CI): see its packages, not its .pth files
        dirs = {sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib'],
                *site.getsitepackages()}
        purelib = _ok(_run([python, '-c',
                            'import sysconfig; print(sysconfig.get_paths()["purelib"])']))
        Path(purelib.strip(), '_parent_env.pth').write_text('\n'.join(sorted(dirs)) + '\n')
    _ok(_run([python, '-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation',
              '--no-index', src], env=_clean_env(), cwd=tmp))
    cwd = tmp / 'cwd'
    cwd.mkdir()
    return python, cwd


def test_installed_copy_imports_with_its_zoo(installed):
    python, cwd = installed
    probe = ('import os, nas_backbones, nas_backbones.arch.zoo as z; '
             'print(nas_backbones.__file__); print(",".join(sorted(os.listdir(z.ZOO_DIR))))')
    out = _ok(_run([python, '-c', probe],
                   cwd=cwd, env=_clean_env()))
    where, zoo = out.split()
    assert 'site-packages' in where and not where.startswith(str(REPO)), where
    # Package data in the wheel: every zoo arch, the space and the predictor forest.
    assert zoo.split(',') == sorted(p.name for p in (REPO / 'nas_backbones' / 'arch' / 'zoo')
                                    .iterdir() if p.suffix in ('.yml', '.npz'))
    # A tool run by path imports the installed package (tools/ is on sys.path, not the root).
    out = _ok(_run([python, REPO / 'tools' / 'analysis' / 'count_flops.py', 'atomnas_a'],
                   cwd=cwd, env=_clean_env()))
    assert '258.29' in out  # the published AtomNAS-A MFLOPs


def test_det_config_tool_builds_on_the_given_configs(installed, tmp_path):
    python, cwd = installed
    ckpt = export_checkpoint(tmp_path / 'a0.pth', 'attentivenas_a0')
    out_cfg = tmp_path / 'det.py'
    tool = REPO / 'tools' / 'analysis' / 'print_det_config.py'
    # Without --configs the tool looks under the cwd, where there is none: a clear error.
    got = _run([python, tool, 'attentivenas_a0', ckpt], cwd=cwd, env=_clean_env())
    assert got.returncode != 0 and 'configs_dir' in got.stderr, got.stderr[-2000:]
    _ok(_run([python, tool, 'attentivenas_a0', ckpt, '--configs', REPO / 'configs', '--out',
              out_cfg], cwd=cwd, env=_clean_env()))
    text = out_cfg.read_text()
    assert str(REPO / 'configs' / 'mask_rcnn' / '_base_') in text
    # The generated config builds the mmdet detector with our backbone and its
    # weights, in the installed environment.
    probe = (
        'import sys, torch\n'
        'from mmengine.config import Config\n'
        'from mmengine.registry import init_default_scope\n'
        'cfg = Config.fromfile(sys.argv[1])\n'
        "init_default_scope(cfg.get('default_scope', 'mmdet'))\n"
        'from mmdet.registry import MODELS\n'
        'model = MODELS.build(cfg.model)\n'
        'model.init_weights()\n'
        "w = model.backbone.state_dict()['stem.conv.weight']\n"
        "ref = torch.load(sys.argv[2], weights_only=True)['state_dict']\n"
        "ref = ref['backbone.stem.conv.weight']\n"
        "print(type(model).__name__, type(model.backbone).__module__, bool(torch.equal(w, ref)))\n")
    out = _ok(_run([python, '-c', probe, out_cfg, ckpt], cwd=cwd, env=_clean_env()))
    name, module, same = out.split()[-3:]
    assert name == 'MaskRCNN' and module == 'nas_backbones.backbones.searched_mobilenet'
    assert same == 'True'


def test_export_tool_writes_a_finetune_config_on_the_given_configs(installed, tmp_path):
    python, cwd = installed
    cfg = REPO / 'configs' / 'attentivenas' / 'attentivenas-flops-prior_demo.py'
    # A "trained" checkpoint: the config's model as built, saved as a run would.
    build = ('import sys, torch\n'
             'from nas_backbones.engine import build_model\n'
             "torch.save({'state_dict': build_model(sys.argv[1]).state_dict()}, sys.argv[2])\n")
    ckpt = tmp_path / 'supernet.pth'
    _ok(_run([python, '-c', build, cfg, ckpt], cwd=cwd, env=_clean_env()))
    out_dir = tmp_path / 'export'
    out = _ok(_run([python, REPO / 'tools' / 'export.py', cfg, '--checkpoint', ckpt, '--out',
                    out_dir, '--arch', 'min', '--name', 'smallest', '--calib-batches', '0',
                    '--configs', REPO / 'configs'], cwd=cwd, env=_clean_env()))
    assert '[nas_backbones] exported smallest' in out
    finetune = out_dir / 'smallest_finetune.py'
    probe = ('import sys\n'
             'from mmengine.config import Config\n'
             'cfg = Config.fromfile(sys.argv[1])\n'
             'print(cfg.model.backbone.type, cfg.model.backbone.arch)\n')
    out = _ok(_run([python, '-c', probe, finetune], cwd=cwd, env=_clean_env()))
    assert out.split()[-2:] == ['SearchedMobileNet', str((out_dir / 'smallest.yml').resolve())]
    state = torch.load(out_dir / 'smallest.pth', weights_only=True)['state_dict']
    assert any(k.startswith('backbone.') for k in state)
