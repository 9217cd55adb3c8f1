"""The README's two commands, `make` and .ci/run stay the same commands."""
import os
import re

from nas_conftest import REPO

DEMO = ('bash tools/setup_env.sh && python tools/data/build_imagenet_demo.py --out '
        'data/imagenet_demo && python tools/train.py configs/atomnas/atomnas-a_demo.py')
TESTS = 'bash tools/setup_env.sh && python -m pytest -q'
SLOW = 'python -m pytest -q -m slow'


def test_readme_has_the_two_commands():
    readme = (REPO / 'README.md').read_text()
    blocks = re.findall(r'```shell\n(.*?)```', readme.split('## Published numbers')[0], re.S)
    assert [b.strip() for b in blocks] == [DEMO, TESTS]


def test_ci_runs_the_readme_test_command():
    ci = REPO / '.ci' / 'run'
    assert os.access(ci, os.X_OK)
    text = ci.read_text()
    setup = re.search(r"^SETUP_CMD='(.*)'$", text, re.M).group(1)
    test = re.search(r"^TEST_CMD='(.*)'$", text, re.M).group(1)
    assert f'{setup} && {test}' == TESTS
    # After the default suite CI runs the slow tests, the README's command for them.
    slow = re.search(r"^SLOW_CMD='(.*)'$", text, re.M).group(1)
    assert slow == SLOW == f'{test} -m slow'
    assert f'`{SLOW}`' in (REPO / 'README.md').read_text()


def test_slow_tests_are_skipped_by_default_and_registered(pytestconfig):
    # pyproject.toml's pytest options, as pytest parsed them: the README's
    # default command deselects `slow`; -m slow (given later) replaces it.
    assert pytestconfig.getini('addopts')[:2] == ['-m', 'not slow']
    assert '--strict-markers' in pytestconfig.getini('addopts')
    assert any(m.startswith('slow:') for m in pytestconfig.getini('markers'))


def test_make_targets_call_the_same_commands():
    make = (REPO / 'Makefile').read_text()
    assert '\tbash tools/setup_env.sh' in make
    assert '\t$(PYTHON) tools/data/build_imagenet_demo.py --out data/imagenet_demo' in make
    assert '\t$(PYTHON) tools/train.py configs/atomnas/atomnas-a_demo.py' in make
    assert '\t$(PYTHON) -m pytest -q' in make
