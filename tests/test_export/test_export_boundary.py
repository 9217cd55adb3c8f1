"""export/ is pure: supernet + arch -> arch file + weights with torch alone.

Run in a fresh interpreter in which OpenMMLab and the package's layers above
export (engine, algorithms, registry, backbones, downstream) are refused at
import: ``nas_backbones.export`` must import and export both families'
subnets, and the written files must read back (arch file, weights-only
checkpoint whose keys are those of the static net of the arch).
"""
import json

from nas_conftest import REPO, run_tool

PROBE = '''
import json, random, sys
from pathlib import Path

ABOVE = ('nas_backbones.engine', 'nas_backbones.algorithms', 'nas_backbones.registry',
         'nas_backbones.backbones', 'nas_backbones.downstream')


class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('mmengine', 'mmcv', 'mmpretrain', 'mmdet') or \\
                name.startswith(ABOVE):
            raise ImportError(f'{name}: refused (export must not need it)')


sys.meta_path.insert(0, Refuse())
import torch
from nas_backbones.arch import AttentiveSpace, load_arch
from nas_backbones.export import export_atomnas, export_attentive_subnet
from nas_backbones.ops import build_static_net
from nas_backbones.supernets import AtomNASSupernet, AttentiveSupernet

out = Path(sys.argv[1])
space = AttentiveSpace.load(sys.argv[2])
torch.manual_seed(0)
arch = space.sample(random.Random(3))
arch_file, weights = export_attentive_subnet(AttentiveSupernet(space, num_classes=5).eval(),
                                             arch, out, name='attentive')
tiny = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 1, 2)]
atom_file, atom_weights = export_atomnas(
    AtomNASSupernet(setting=tiny, resolution=32, num_classes=5, last_channels=16),
    out, name='atom', plus_variant=False)
missing = []
for a, w in ((arch_file, weights), (atom_file, atom_weights)):
    expected = {'backbone.' + k for k in build_static_net(load_arch(a)).state_dict()}
    state = torch.load(w, weights_only=True)['state_dict']
    missing.append(sorted(expected - set(state)))
print(json.dumps({'missing': missing, 'modules': sorted(m for m in sys.modules
                                                        if m.startswith('nas_backbones'))}))
'''


def test_export_needs_nothing_above_it(tmp_path):
    space = REPO / 'tests' / 'test_supernets' / 'attentivenas_tiny_space.yml'
    proc = run_tool('-c', PROBE, str(tmp_path), str(space), timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report['missing'] == [[], []]
    imported = {m.split('.')[1] for m in report['modules'] if m.count('.')}
    assert imported <= {'arch', 'estimators', 'ops', 'supernets', 'export'}, imported
