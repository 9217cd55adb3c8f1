"""Downstream use of searched backbones: fine-grained transfer helpers
(``transfer``); the mmdet config snippet lives in ``export.det_config``."""
from .transfer import (SweepPoint, best_point, cls_head_dims, holdout_config, holdout_split,
                       sweep, train_and_evaluate, transfer_mflops, with_arch, with_hparams)

__all__ = ['SweepPoint', 'best_point', 'cls_head_dims', 'holdout_config', 'holdout_split',
           'sweep', 'train_and_evaluate', 'transfer_mflops', 'with_arch', 'with_hparams']
