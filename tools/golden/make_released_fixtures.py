"""Make the golden fixtures of the released-weight converters by running the
ORIGINAL model code of the authors (never shipped here; export it first):

    git --git-dir=<mirror of facebookresearch/AttentiveNAS> archive HEAD \
        | tar -x -C /tmp/orig/attentivenas
    git --git-dir=<mirror of meijieru/AtomNAS> archive HEAD | tar -x -C /tmp/orig/atomnas
    python tools/golden/make_released_fixtures.py \
        --attentivenas-src /tmp/orig/attentivenas --atomnas-src /tmp/orig/atomnas

For each family it builds the original models, fills their state dicts with
the deterministic rule of ``tools/golden/released_format.py`` (per-key
seeded weights, randomised BN statistics), and records the manifest (key ->
shape, kind), the fixed inputs and the original models' eval logits, before
and after the authors' BN recalibration, into ``tests/test_engine/fixtures``:

* AttentiveNAS: the supernet of ``configs/eval_attentive_nas_models.yml``;
  subnets min, max, A0-A6 and three random ones through
  ``set_active_subnet`` + ``get_active_subnet`` (the static model resizes
  its input bicubically to the subnet's resolution); A0 and one random
  subnet also after ``reset_running_stats_for_calibration`` + forwards.
* AtomNAS: ``models/searched_network.py`` with the released archs
  (``apps/searched/models/atomnas_{a,b,c}.yml``; the + variants with
  ``apps/searched/atomnas_*/atomnas_*+.yml``'s overrides: Swish, SE 0.5,
  fused block) and one search net of ``models/mobilenet_supernet.py`` shrunk
  by the authors' ``compress_by_mask`` (dead branches and a dead block); the
  EMA shadow gets its own fill, the logits are those of the EMA weights
  (``common.py: get_ema_model``), then after ``utils.common.bn_calibration``
  as ``val.py`` runs it.

Each family runs in its own subprocess (both repositories have top-level
``utils``/``models`` packages). torch 2.x needs no shim for the code paths
used here; importing common.py needs two shims (see ``_authors_common``).
"""
import argparse
import ast
import json
import random
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

if __package__ in (None, ''):
    # Appended, not prepended: an installed nas_backbones stays the one imported.
    sys.path.append(str(Path(__file__).resolve().parents[2]))
from tools.golden.released_format import (FIXTURES, calibration_images, centre_crop,  # noqa: E402
                                          fill_state_dict, manifest_of, to_input)

SEED = 2021
ATOMNAS_BN = dict(batch_norm_momentum=0.01, batch_norm_epsilon=1e-3)  # apps/eval/*.yml overrides


COMMITS = {}  # family -> commit of the exported tree (--*-commit)


def git_commit(src: Path, family: str) -> str:
    if COMMITS.get(family):
        return COMMITS[family]
    if (src / '.git').exists():
        return subprocess.run(['git', '-C', str(src), 'rev-parse', 'HEAD'], capture_output=True,
                              text=True).stdout.strip()
    return 'unknown (exported tree; pass --{}-commit)'.format(family)


def make_images(out: Path) -> np.ndarray:
    """Two smooth 256x256 RGB test images (stored, not regenerated)."""
    g = torch.Generator().manual_seed(SEED)
    low = torch.rand(2, 3, 9, 9, generator=g) * 255
    img = F.interpolate(low, size=(256, 256), mode='bicubic', align_corners=True)
    img = img + torch.randn(2, 3, 256, 256, generator=g) * 6
    images = img.clamp(0, 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    np.savez_compressed(out / 'images.npz', images=images)
    return images


def dump_json(info: dict) -> str:
    """JSON with one line per top-level entry and per manifest row (diffable)."""
    lines, items = ['{'], sorted(info.items())
    for i, (key, value) in enumerate(items):
        comma = ',' if i < len(items) - 1 else ''
        if isinstance(value, list) and len(value) > 8:
            lines.append(f'{json.dumps(key)}: [')
            lines += [f'  {json.dumps(row)}' + (',' if j < len(value) - 1 else '')
                      for j, row in enumerate(value)]
            lines.append(f']{comma}')
        else:
            lines.append(f'{json.dumps(key)}: {json.dumps(value, sort_keys=True)}{comma}')
    return '\n'.join(lines + ['}']) + '\n'


def write(out: Path, name: str, info: dict, arrays: dict) -> None:
    (out / f'{name}.json').write_text(dump_json(info))
    np.savez_compressed(out / f'{name}.npz', **{k: v.astype(np.float32) for k, v in arrays.items()})
    print(f'[golden] {name}: {len(info.get("manifest", []))} tensors, {len(arrays)} logit sets')


# ----------------------------------------------------------- AttentiveNAS
def attentivenas(src: Path, out: Path, images: np.ndarray) -> None:
    sys.path.insert(0, str(src))
    from models.attentive_nas_dynamic_model import AttentiveNasDynamicModel
    from utils.config import setup

    args = setup(str(src / 'configs' / 'eval_attentive_nas_models.yml'))
    supernet = AttentiveNasDynamicModel(args.supernet_config, n_classes=int(args.n_classes),
                                        bn_param=(args.bn_momentum, args.bn_eps))
    manifest = manifest_of(supernet)
    supernet.load_state_dict(fill_state_dict(manifest, SEED))
    x = to_input(centre_crop(images, 224))
    calib = [to_input(b) for b in calibration_images(images)]

    subnets = {}
    supernet.sample_min_subnet()
    subnets['min'] = supernet.get_active_subnet_settings()
    supernet.sample_max_subnet()
    subnets['max'] = supernet.get_active_subnet_settings()
    for name in ('a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6'):
        cfg = args.pareto_models[name]
        subnets[name] = {k: cfg[k] for k in ('resolution', 'width', 'depth', 'kernel_size',
                                             'expand_ratio')}
    random.seed(SEED)
    for i in range(3):
        subnets[f'random{i}'] = supernet.sample_active_subnet()
    calibrated = ('a0', 'random0')
    arrays = {}
    with torch.no_grad():
        for name, cfg in subnets.items():
            supernet.set_active_subnet(cfg['resolution'], cfg['width'], cfg['depth'],
                                       cfg['kernel_size'], cfg['expand_ratio'])
            subnet = supernet.get_active_subnet()
            subnet.eval()
            arrays[f'logits__{name}'] = subnet(x).numpy()
            if name in calibrated:
                # test_attentive_nas.py: calibrate, then evaluate.
                subnet.reset_running_stats_for_calibration()
                for batch in calib:
                    subnet(batch)
                subnet.eval()
                arrays[f'calibrated__{name}'] = subnet(x).numpy()
    commit = git_commit(src, 'attentivenas')
    info = {'source': {'repo': 'facebookresearch/AttentiveNAS', 'commit': commit,
                       'model': 'models/attentive_nas_dynamic_model.py: AttentiveNasDynamicModel',
                       'config': 'configs/eval_attentive_nas_models.yml'},
            'seed': SEED, 'conv_gain': 1.0, 'bn_param': [args.bn_momentum, args.bn_eps],
            'manifest': manifest,
            'subnets': subnets, 'calibrated': list(calibrated),
            'calibration': {'num_batches': len(calib), 'batch_size': len(images)}}
    write(out, 'attentivenas_supernet', info, arrays)


# ----------------------------------------------------------------- AtomNAS
def _authors_common(src: Path):
    """The authors' common.py (get_ema_model), with two import-time shims:
    it imports torch.utils.tensorboard for logging only (tensorboard is not
    installed here; nothing used below touches the writer), and its
    utils/config.py parses ``sys.argv`` for an ``app:<config.yml>`` argument
    on import (given one of their model files; FLAGS is not used below)."""
    if 'torch.utils.tensorboard' not in sys.modules:
        try:
            import torch.utils.tensorboard  # noqa: F401
        except ImportError:
            shim = types.ModuleType('torch.utils.tensorboard')
            shim.SummaryWriter = object
            sys.modules['torch.utils.tensorboard'] = shim
    argv, sys.argv = sys.argv, [sys.argv[0], f'app:{src}/apps/searched/models/atomnas_a.yml']
    try:
        import common
    finally:
        sys.argv = argv
    return common


def _ema_logits(src: Path, model, shadow: dict, x, calib):
    """Eval logits of ``model`` with the EMA weights (the authors'
    ExponentialMovingAverage + common.py: get_ema_model, which copies every
    shadow tensor into the parameter / buffer of that name), then after
    val.py's BN recalibration (utils.common.bn_calibration + forwards)."""
    from utils.common import bn_calibration
    from utils.optim import ExponentialMovingAverage
    ema = ExponentialMovingAverage(0.9999)
    ema.load_state_dict({'info': {k: {} for k in shadow}, 'shadow': dict(shadow),
                         'param': {'momentum': 0.9999, 'zero_debias': False}})
    wrapper = torch.nn.DataParallel(model)  # the authors' models sit in a wrapper
    with torch.no_grad():
        net = _authors_common(src).get_ema_model(ema, wrapper)
        net.eval()
        before = net(x).numpy()
        net.eval()
        net.apply(bn_calibration)  # val.py: run_one_epoch(phase='bn_calibration')
        for batch in calib:
            net(batch)
        net.eval()
        after = net(x).numpy()
    return before, after


def _shadow_rows(model, manifest: list) -> list:
    # common.py: setup_ema registers every parameter and BN running mean/var.
    names = {n for n, _ in model.named_parameters()}
    names |= {n for n, _ in model.named_buffers() if 'running_var' in n or 'running_mean' in n}
    return [row for row in manifest if row[0] in names]


def _shrunk_search_net(src: Path):
    """The atomnas_a search supernet (apps/slimming/shrink/atomnas_a.yml's
    model_kwparams) shrunk by the authors' own compress_by_mask."""
    import models.mobilenet_base as mb
    from models.mobilenet_supernet import Model
    base = ast.literal_eval((src / 'apps/mobilenet/models/fix_first/'
                                   'supernet_single_path_nas.yml').read_text())
    kw = dict(base, active_fn='nn.ReLU', input_channel=16)  # ..._relu_small.yml overrides
    model = Model(**kw, input_size=224, **ATOMNAS_BN)
    rs = np.random.RandomState(SEED)
    blocks = list(model.get_named_block_list().values())
    for i, block in enumerate(blocks):
        masks = [torch.ones_like(bn.weight, dtype=torch.bool) for bn in block.get_depthwise_bn()]
        if i > 0:  # the first block is not searched (expansion_only_skip_expand1)
            masks = [torch.from_numpy(rs.rand(len(m)) < 0.25) for m in masks]
            for m in masks:  # at least one atom per branch ...
                m[0] = True
            if i == 3:  # ... but one whole block dies: identity (stride 1, 24 -> 24)
                masks = [torch.zeros_like(m) for m in masks]
            elif i == 6:  # ... and one branch dies (the 7x7 one)
                masks[2] = torch.zeros_like(masks[2])
        block.compress_by_mask(masks)
    return model, mb.output_network(model)


def atomnas(src: Path, out: Path, images: np.ndarray) -> None:
    sys.path.insert(0, str(src))
    from models.searched_network import Model
    x = to_input(centre_crop(images, 224))
    calib = [to_input(b) for b in calibration_images(images)]
    nets = {}
    for n in ('a', 'b', 'c'):
        kw = ast.literal_eval((src / f'apps/searched/models/atomnas_{n}.yml').read_text())
        nets[f'atomnas_{n}'] = kw
        # apps/searched/atomnas_{n}/atomnas_{n}+.yml (with apps/eval/eval_se.yml)
        nets[f'atomnas_{n}_plus'] = dict(kw, active_fn='nn.Swish', se_ratio=0.5,
                                         block='InvertedResidualChannelsFused', dropout_ratio=0.28)
    for name, kw in list(nets.items()) + [('atomnas_a_search_shrunk', None)]:
        if kw is None:
            model, kwparams = _shrunk_search_net(src)
            source_model = 'models/mobilenet_supernet.py (shrunk by compress_by_mask)'
        else:
            model = Model(**kw, input_size=224, **ATOMNAS_BN)
            # save_status writes output_network(model): no se_ratio/block/dropout.
            from models.mobilenet_base import output_network
            kwparams = output_network(model)
            source_model = 'models/searched_network.py: MobileNetSearched'
        manifest = manifest_of(model)
        gain = 1.4 if name.endswith('_plus') else 1.0  # see released_format.KINDS
        model.load_state_dict(fill_state_dict(manifest, SEED, gain))
        shadow_rows = _shadow_rows(model, manifest)
        shadow = fill_state_dict(shadow_rows, SEED + 1, gain)
        before, after = _ema_logits(src, model, shadow, x, calib)
        info = {'source': {'repo': 'meijieru/AtomNAS', 'commit': git_commit(src, 'atomnas'),
                           'model': source_model,
                           'model_kwparams': {k: v for k, v in (kw or {}).items()
                                              if k in ('active_fn', 'se_ratio', 'block',
                                                       'dropout_ratio')}},
                'seed': SEED, 'shadow_seed': SEED + 1, 'conv_gain': gain, 'kwparams': kwparams,
                'manifest': manifest, 'shadow_keys': [r[0] for r in shadow_rows],
                'calibration': {'num_batches': len(calib), 'batch_size': len(images)}}
        write(out, name, info, {'logits_ema': before, 'logits_calibrated': after})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--attentivenas-src', type=Path, help='exported facebookresearch/AttentiveNAS')
    p.add_argument('--atomnas-src', type=Path, help='exported meijieru/AtomNAS')
    p.add_argument('--attentivenas-commit', help='commit the AttentiveNAS tree was exported from')
    p.add_argument('--atomnas-commit', help='commit the AtomNAS tree was exported from')
    p.add_argument('--out', type=Path, default=FIXTURES)
    p.add_argument('--only', choices=['attentivenas', 'atomnas'], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    COMMITS.update(attentivenas=args.attentivenas_commit, atomnas=args.atomnas_commit)
    if args.only is not None:
        with np.load(args.out / 'images.npz') as data:
            images = data['images']
        src = args.attentivenas_src if args.only == 'attentivenas' else args.atomnas_src
        (attentivenas if args.only == 'attentivenas' else atomnas)(src.resolve(), args.out, images)
        return
    make_images(args.out)
    for family, src in (('attentivenas', args.attentivenas_src), ('atomnas', args.atomnas_src)):
        if src is None:
            print(f'[golden] --{family}-src not given: {family} fixtures not regenerated')
            continue
        cmd = [sys.executable, __file__, '--only', family, '--out', str(args.out),
               f'--{family}-src', str(src)]
        if COMMITS.get(family):
            cmd += [f'--{family}-commit', COMMITS[family]]
        subprocess.run(cmd, check=True)


if __name__ == '__main__':
    main()
