"""The committed COCO Mask R-CNN configs are tools/misc/generate_mask_rcnn_configs.py's
output, byte for byte, and nothing else (the demo aside)."""
from nas_conftest import REPO

from tools.misc.generate_mask_rcnn_configs import generate

CONFIGS = REPO / 'configs' / 'mask_rcnn'


def test_committed_configs_equal_generator_output(tmp_path):
    written = {p.name: p.read_text() for p in generate(tmp_path)}
    committed = {p.name: p.read_text() for p in CONFIGS.glob('mask-rcnn_*_coco.py')}
    assert sorted(committed) == sorted(written), 'run tools/misc/generate_mask_rcnn_configs.py'
    stale = [name for name in written if committed[name] != written[name]]
    assert not stale, f'{stale}: differ from the generator; run tools/misc/generate_mask_rcnn_configs.py'
    assert len(written) == 13 * 4  # 13 zoo nets x (FPN 23e/1x/3x, last-map 23e)
