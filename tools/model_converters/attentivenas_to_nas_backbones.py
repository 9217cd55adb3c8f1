"""Convert the authors' AttentiveNAS (or AlphaNet) supernet checkpoint.

    # the supernet, for tools/search.py / fine-tuning the AttentiveNAS model:
    python tools/model_converters/attentivenas_to_nas_backbones.py \
        attentive_nas_pretrained.pth.tar checkpoints/attentivenas_supernet_in1k.pth
    # a subnet (zoo name or arch file) as SearchedMobileNet + NASClsHead,
    # BN recalibrated on the training batches of an evaluation config:
    python tools/model_converters/attentivenas_to_nas_backbones.py \
        attentive_nas_pretrained.pth.tar checkpoints/attentivenas_a0_in1k.pth \
        --subnet attentivenas_a0 \
        --calib-config configs/attentivenas/attentivenas-a0_3rdparty_in1k.py

The released file (facebookresearch/AttentiveNAS ``utils/saver.py``: legacy
serialisation, ``{epoch, args, state_dict, optimizer, lr_scheduler}``,
``args`` a pickled config object) is read without running pickled code
(``nas_backbones/engine/released/reader.py``); every tensor is mapped,
or dropped only when the authors' model never reads it (listed by name).
Outputs hold ``state_dict`` + ``meta`` (arch, source file, MD5/SHA-256):

* supernet: ``AttentiveNAS`` model keys (``supernet.*``), usable with
  ``tools/search.py --checkpoint`` and ``load_from``. Its BN statistics are
  the momentum-0 ones of training: search and evaluation recalibrate per subnet.
* ``--subnet``: ``backbone.*`` / ``head.*`` keys, with ``OUT`` stem + ``.yml``
  (the arch). The supernet's statistics are meaningless, so the subnet is
  recalibrated on ``--calib-batches`` batches of the config's
  ``calib_dataloader`` (the authors: 64 batches of 256, AutoAugment crops
  resized in the model); ``--no-calib`` skips it (the file then says so).
"""
import argparse
from pathlib import Path


from mmengine.config import DictAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Convert a released AttentiveNAS/AlphaNet supernet')
    p.add_argument('src', help='released checkpoint (attentive_nas_pretrained.pth.tar, '
                               'alphanet_pretrained.pth.tar)')
    p.add_argument('dst', help='output .pth')
    p.add_argument('--subnet', help='zoo name (attentivenas_a0 ... a6) or arch file '
                                    '(ours or the authors\' pareto_models entry format)')
    p.add_argument('--calib-config', help='evaluation config whose calib_dataloader gives the '
                                          'BN recalibration batches')
    p.add_argument('--calib-batches', type=int, default=64,
                   help='recalibration batches (test_attentive_nas.py: 64)')
    p.add_argument('--no-calib', action='store_true',
                   help='keep the supernet\'s (momentum-0, meaningless) BN statistics')
    p.add_argument('--seed', type=int, default=0, help='shuffling seed of the batches')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override entries of --calib-config (e.g. calib_dataloader.batch_size=64)')
    return p.parse_args(argv)


def convert(args) -> dict:
    from nas_backbones.arch import AttentiveArch, load_arch
    from nas_backbones.estimators import count_cost
    from nas_backbones.engine.released.attentivenas import algorithm_state, supernet_from_released
    from nas_backbones.engine.released.common import save_checkpoint

    supernet, report, meta = supernet_from_released(args.src)
    print(f'[convert] {args.src}: {report.summary()}', flush=True)
    note = {None: 'no published MD5 for this file name', True: 'the MD5 the authors published',
            False: f'NOT the MD5 the authors published ({meta["source_md5_published"]}): '
                   f'a different or damaged file'}[meta['source_md5_matches_published']]
    print(f'[convert] MD5 {meta["source_md5"]}: {note}', flush=True)
    meta['conversion'] = report.to_meta()
    dst = Path(args.dst)
    if args.subnet is None:
        if args.calib_config or args.no_calib:
            raise SystemExit('error: --calib-config / --no-calib apply to --subnet only (the '
                             'supernet is recalibrated per subnet when it is evaluated)')
        meta.update(target='AttentiveNAS', space=supernet.space.to_dict())
        save_checkpoint(dst, algorithm_state(supernet), meta)
        print(f'[convert] wrote the AttentiveNAS supernet: {dst}')
        return {'weights': dst}

    arch = load_arch(args.subnet)
    if not isinstance(arch, AttentiveArch):
        raise SystemExit(f'error: --subnet: {args.subnet} is not an AttentiveNAS arch')
    arch = supernet.space.validate(arch.replace(name=arch.name or Path(args.subnet).stem))
    static = supernet.to_static(arch)
    state = static.state_dict()
    if args.no_calib == bool(args.calib_config):
        raise SystemExit('error: a subnet needs --calib-config CONFIG (BN recalibration: the '
                         'supernet trained with BN momentum 0) or, knowingly, --no-calib')
    calib = {'bn_recalibrated': False}
    if args.calib_config:
        from nas_backbones.engine.released.calib import recalibrated_state
        state, calib = recalibrated_state(arch, state, args.calib_config, args.calib_batches,
                                          args.seed, args.cfg_options)
        print(f'[convert] BN recalibrated on {calib["calib_batches"]} batches of '
              f'{calib["batch_size"]} ({args.calib_config})')
    cost = count_cost(arch, space=supernet.space)
    meta.update(target='SearchedMobileNet+NASClsHead', arch=arch.to_dict(),
                mflops=round(cost.mflops, 2), mparams=round(cost.mparams, 3), **calib)
    save_checkpoint(dst, state, meta)
    arch_path = arch.save(dst.with_suffix('.yml'))
    print(f'[convert] wrote {arch.name}: {cost.mflops:.2f} MFLOPs, {cost.mparams:.3f} M params '
          f'at {arch.resolution}px | weights: {dst} | arch: {arch_path}')
    return {'weights': dst, 'arch': arch_path}


def main(argv=None):
    args = parse_args(argv)
    from nas_backbones.engine.released.reader import ReleasedCheckpointError
    from nas_backbones.engine.released.common import ConversionError
    try:
        return convert(args)
    except (ReleasedCheckpointError, ConversionError, FileNotFoundError, ValueError) as e:
        raise SystemExit(f'error: {e}') from None


if __name__ == '__main__':
    main()
