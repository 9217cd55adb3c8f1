"""Convert a released AtomNAS model (``<name>.pt`` + ``<name>.yml``).

    python tools/model_converters/atomnas_to_nas_backbones.py \
        atomnas_a/ckpt.pt checkpoints/atomnas_a_in1k.pth \
        --calib-config configs/atomnas/atomnas-a_3rdparty_in1k.py

The ``.pt`` (meijieru/AtomNAS ``utils/common.py: save_status``: ``{model,
optimizer, ema, last_epoch, best_val, meters}``, pickled meter objects) is
read without running pickled code; the ``.yml`` beside it (``--arch`` to
give another) is the shrunk architecture in the authors' ``model_kwparams``
format, read as is (SE of the + variants, which that file does not record,
is read from the weights). The EMA weights are converted, as the authors
evaluate them (``--no-ema``: the raw model weights). Outputs: ``OUT``
(``state_dict`` with ``backbone.*``/``head.*`` keys of SearchedMobileNet +
NASClsHead, ``meta`` with the arch, the source file and its MD5/SHA-256)
and ``OUT`` stem + ``.yml`` (the arch in this project's format; the zoo
arch when it is one of AtomNAS-A/B/C(+)).

The authors' evaluation recalibrates BN before testing (``val.py``,
``apps/eval/*.yml``: 256 batches of training images); ``--calib-config``
does it here, on the config's ``calib_dataloader``. Without it the EMA of
the training statistics is kept (the paper's "without recalibration"
numbers; the file's meta says which).
"""
import argparse
from pathlib import Path


from mmengine.config import DictAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Convert a released AtomNAS model')
    p.add_argument('src', help="released <name>.pt")
    p.add_argument('dst', help='output .pth')
    p.add_argument('--arch', help='the authors\' arch file (default: SRC with .yml)')
    p.add_argument('--no-ema', action='store_true',
                   help='convert the raw model weights instead of the EMA the authors evaluate')
    p.add_argument('--calib-config', help='evaluation config whose calib_dataloader gives the '
                                          'BN recalibration batches')
    p.add_argument('--calib-batches', type=int, default=256,
                   help='recalibration batches (apps/eval/eval_shrink.yml: 256)')
    p.add_argument('--seed', type=int, default=0, help='shuffling seed of the batches')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override entries of --calib-config')
    return p.parse_args(argv)


def convert(args) -> dict:
    from nas_backbones.estimators import count_cost
    from nas_backbones.engine.released.atomnas import convert_released_atomnas
    from nas_backbones.engine.released.common import save_checkpoint

    arch, state, report, meta = convert_released_atomnas(args.src, args.arch,
                                                         use_ema=not args.no_ema)
    print(f'[convert] {args.src} ({meta["source_weights"]} weights): {report.summary()}',
          flush=True)
    print(f'[convert] MD5 {meta["source_md5"]} (the authors published no checksum)', flush=True)
    meta['conversion'] = report.to_meta()
    calib = {'bn_recalibrated': False}
    if args.calib_config:
        from nas_backbones.engine.released.calib import recalibrated_state
        state, calib = recalibrated_state(arch, state, args.calib_config, args.calib_batches,
                                          args.seed, args.cfg_options)
        print(f'[convert] BN recalibrated on {calib["calib_batches"]} batches of '
              f'{calib["batch_size"]} ({args.calib_config})')
    else:
        print('[convert] BN statistics: the EMA of training (no --calib-config; the authors '
              'recalibrate before evaluating)')
    cost = count_cost(arch)
    meta.update(target='SearchedMobileNet+NASClsHead', arch=arch.to_dict(),
                mflops=round(cost.mflops, 2), mparams=round(cost.mparams, 3), **calib)
    dst = Path(args.dst)
    save_checkpoint(dst, state, meta)
    arch_path = arch.save(dst.with_suffix('.yml'))
    zoo = f' (zoo arch {meta["zoo_arch"]})' if meta.get('zoo_arch') else ''
    print(f'[convert] wrote {arch.name}{zoo}: {cost.mflops:.2f} MFLOPs, {cost.mparams:.3f} M '
          f'params | weights: {dst} | arch: {arch_path}')
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
