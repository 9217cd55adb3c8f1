"""Downstream use of searched backbones; every generated downstream config:
detection (``det_config``: a searched arch -> an mmdet Mask R-CNN config) and
fine-grained transfer (``transfer``)."""
from .det_config import DetTaps, det_config_text, det_taps, detect_prefix, output_shapes
from .transfer import (SweepPoint, best_point, cls_head_dims, holdout_config, holdout_split,
                       sweep, train_and_evaluate, transfer_mflops, with_arch, with_hparams)

__all__ = ['DetTaps', 'det_config_text', 'det_taps', 'detect_prefix', 'output_shapes',
           'SweepPoint', 'best_point', 'cls_head_dims', 'holdout_config', 'holdout_split',
           'sweep', 'train_and_evaluate', 'transfer_mflops', 'with_arch', 'with_hparams']
