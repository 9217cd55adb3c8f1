"""The documentation holds together: every relative link of the Markdown files
and every ``docs/<page>.md#<anchor>`` named in a comment points at an existing file
and heading, and no file refers to a document a user's clone does not have
(the project-internal specification, the folder shared beside the checkout)."""
import re
from pathlib import Path

import pytest
from nas_conftest import REPO

SKIP_DIRS = {'.git', 'work_dirs', 'data', 'build', '.whl', '.gl', '__pycache__', '.pytest_cache',
             'checkpoints'}
BINARY = {'.png', '.jpg', '.npz', '.pt', '.pth', '.gz', '.zip', '.pkl', '.whl', '.so'}
# Built from parts so that this file does not match itself.
FORBIDDEN = re.compile('|'.join([
    'SP' + r'EC\s*\u00a7',          # "section N" of the internal specification
    'SP' + r'EC\.md',
    r'\.\./' + 'sha' + 'red',
    r'(?<![\w.-])' + 'sha' + 'red/',
    'STY' + r'LE\.md',
]))


def text_files():
    for path in sorted(REPO.rglob('*')):
        rel = path.relative_to(REPO)
        if (path.is_file() and path.suffix not in BINARY
                and not SKIP_DIRS.intersection(rel.parts) and not rel.parts[0].endswith('.egg-info')):
            try:
                yield rel, path.read_text()
            except UnicodeDecodeError:
                continue


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r'[`*_]', lambda m: '_' if m.group(0) == '_' else '', heading.strip().lower())
    return re.sub(r'[^\w\- ]', '', text).replace(' ', '-')


def anchors(md: Path) -> set:
    seen, out = {}, set()
    in_code = False
    for line in md.read_text().splitlines():
        if line.startswith('```'):
            in_code = not in_code
        m = None if in_code else re.match(r'#{1,6} (.+)', line)
        if m:
            base = slug(m.group(1))
            n = seen.get(base, 0)
            out.add(base if n == 0 else f'{base}-{n}')
            seen[base] = n + 1
    return out


MARKDOWN = sorted(p.relative_to(REPO) for p in REPO.rglob('*.md')
                  if not SKIP_DIRS.intersection(p.relative_to(REPO).parts))


def check_target(target: Path, anchor: str, where: str) -> list:
    if not target.exists():
        return [f'{where}: {target.relative_to(REPO) if REPO in target.parents else target} '
                f'does not exist']
    if anchor and target.suffix == '.md' and anchor not in anchors(target):
        return [f'{where}: #{anchor} is not a heading of {target.relative_to(REPO)}']
    return []


@pytest.mark.parametrize('md', MARKDOWN, ids=[str(p) for p in MARKDOWN])
def test_markdown_links_resolve(md):
    text = re.sub(r'```.*?```', '', (REPO / md).read_text(), flags=re.S)
    errors = []
    for link in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'[a-z]+://|mailto:', link):
            continue
        path, _, anchor = link.partition('#')
        target = (REPO / md).parent / path if path else REPO / md
        errors += check_target(target.resolve(), anchor, f'{md}: ({link})')
    assert not errors, '\n'.join(errors)


def test_docs_pointers_in_code_resolve():
    errors = []
    for rel, text in text_files():
        if rel.suffix == '.md':
            continue  # their links are checked above, relative to the file
        for path, anchor in re.findall(r'(?<![\w/.])(docs/[\w/.-]+\.md)(?:#([\w-]+))?', text):
            errors += check_target(REPO / path, anchor, f'{rel}: {path}#{anchor}')
    assert not errors, '\n'.join(errors)


def test_no_reference_to_documents_outside_the_repository():
    hits = [f'{rel}:{i}: {line.strip()}' for rel, text in text_files()
            for i, line in enumerate(text.splitlines(), 1) if FORBIDDEN.search(line)]
    assert not hits, '\n'.join(hits)


def test_slug_follows_github():
    assert slug("Differences from the authors' code") == 'differences-from-the-authors-code'
    assert slug('AtomNAS-A/B/C and A+/B+/C+') == 'atomnas-abc-and-abc'
    assert slug('Search (`search_a0.py` ... `search_a6.py`) and export') == \
        'search-search_a0py--search_a6py-and-export'
