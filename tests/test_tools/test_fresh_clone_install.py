"""README command 1 on a new machine: a fresh clone, a fresh venv, the set-up
script, and then the package must import from *outside* the clone.

A green suite once hid that the set-up skipped the editable install: its
"installed?" check ran from the repo root, where the checkout itself is
importable, and pytest puts the root on sys.path too. Only an import from a
neutral directory, in an environment that never saw this checkout, tells.
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

from nas_conftest import REPO


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)


def _clean_env(**extra: str) -> dict:
    # PYTHONPATH (a developer pointing at a worktree) would decide the import
    # by itself; the check is about what the set-up installed.
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
    env.update(extra)
    return env


def _import_location(python: Path) -> str:
    """Where ``import nas_backbones`` resolves for ``python``, run from '/'."""
    out = _run([str(python), '-c', 'import os, nas_backbones; print(os.path.dirname('
                'os.path.dirname(os.path.realpath(nas_backbones.__file__))))'], cwd='/',
               env=_clean_env())
    return out.stdout.strip() if out.returncode == 0 else f'<not importable: {out.stderr[-200:]}>'


@pytest.mark.skipif(shutil.which('git') is None, reason='needs git')
def test_setup_env_installs_the_clone_for_imports_outside_it(tmp_path):
    clone = tmp_path / 'clone'
    got = _run(['git', 'clone', '-q', str(REPO), str(clone)])
    assert got.returncode == 0, got.stderr
    venv = tmp_path / 'venv'
    got = _run([sys.executable, '-m', 'venv', '--system-site-packages', str(venv)])
    assert got.returncode == 0, got.stderr
    python = venv / 'bin' / 'python'
    if sys.prefix != sys.base_prefix:
        # Run from inside a venv (CI): a venv made from it sees the *base*
        # interpreter's packages only; give it this env's site-packages as plain
        # path entries (their .pth files, e.g. an editable install of this
        # checkout, are not processed), so the stack is there but not the package.
        dirs = {sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib'],
                *site.getsitepackages()}
        purelib = _run([str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'])
        Path(purelib.stdout.strip(), '_parent_env.pth').write_text('\n'.join(sorted(dirs)) + '\n')
    assert _import_location(python) != str(clone.resolve())

    env = _clean_env(PYTHON=str(python), PATH=f'{venv / "bin"}:{os.environ.get("PATH", "")}')
    # From the clone's root, as the README says: the cwd that used to hide the bug.
    got = _run(['bash', 'tools/setup_env.sh'], cwd=clone, env=env)
    assert got.returncode == 0, got.stdout[-2000:] + got.stderr[-2000:]
    assert _import_location(python) == str(clone.resolve())
    # A script run by path (tools/train.py) has tools/ on sys.path, not the root.
    probe = _run([str(python), str(clone / 'tools' / 'analysis' / 'count_flops.py'), 'atomnas_a'],
                 cwd='/', env=env)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert '258.29' in probe.stdout
