"""No config is a second name for another: a file whose only statement is
`_base_ = [...]` (after comments) would give a recipe two names."""
import ast

from nas_conftest import REPO


def test_no_config_is_only_a_base():
    aliases = []
    for path in sorted((REPO / 'configs').rglob('*.py')):
        if '_base_' in path.parts:
            continue
        body = ast.parse(path.read_text()).body
        targets = [t.id for node in body if isinstance(node, ast.Assign)
                   for t in node.targets if isinstance(t, ast.Name)]
        if targets == ['_base_'] and len(body) == 1:
            aliases.append(str(path.relative_to(REPO)))
    assert not aliases, f'alias configs (use the canonical name instead): {aliases}'
