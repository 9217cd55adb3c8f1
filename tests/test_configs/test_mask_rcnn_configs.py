"""Every Mask R-CNN config builds, feeds its neck the channels the backbone
reports, runs a forward pass; the demo trains and reports bbox + segm mAP."""
from functools import lru_cache
from pathlib import Path

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope

from nas_backbones.downstream.det_config import det_taps


CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'mask_rcnn'
DET_CONFIGS = sorted(CONFIGS.glob('mask-rcnn_*.py'))
DEMO = CONFIGS / 'mask-rcnn_atomnas-a_fpn_demo.py'
SIZE = 64  # tiny input: the forward only has to run


@lru_cache(maxsize=None)
def taps(arch: str, variant: str):
    return det_taps(arch, variant)


def zoo_name(config: Path) -> str:
    # mask-rcnn_atomnas-a-plus_fpn_23e_coco.py -> atomnas_a_plus
    return config.name.split('_')[1].replace('-plus', '_plus').replace('-', '_')


def build(cfg: Config):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(cfg.model)


@pytest.mark.parametrize('config', DET_CONFIGS, ids=[p.stem for p in DET_CONFIGS])
def test_config_builds_and_runs(config):
    cfg = Config.fromfile(config)
    assert cfg.model.backbone.arch == zoo_name(config)
    # Few proposals keep the RoI heads cheap; the test is about wiring.
    cfg.model.test_cfg.rpn.update(nms_pre=50, max_per_img=10)
    model = build(cfg).eval()
    backbone, shape = model.backbone, model.backbone.output_shape()
    assert list(cfg.model.neck.in_channels) == [shape[i][0] for i in backbone.out_indices]
    variant = 'last-map' if '_last-map_' in config.name else 'fpn'
    assert backbone.out_indices == taps(backbone.arch.name, variant).out_indices
    if config != DEMO:
        assert backbone.frozen_stages == taps(backbone.arch.name, variant).frozen_stages
        assert cfg.model.backbone.init_cfg == dict(
            type='Pretrained', checkpoint=f'checkpoints/{zoo_name(config)}_in1k.pth',
            prefix='backbone.')
    meta = dict(img_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE), pad_shape=(SIZE, SIZE),
                batch_input_shape=(SIZE, SIZE), scale_factor=(1.0, 1.0))
    with torch.no_grad():
        out = model(torch.rand(1, 3, SIZE, SIZE), [DetDataSample(metainfo=meta)], mode='predict')
    pred = out[0].pred_instances
    assert pred.bboxes.shape[1] == 4 and pred.masks.shape[1:] == (SIZE, SIZE)


def test_paper_schedule():
    cfg = Config.fromfile(CONFIGS / 'mask-rcnn_atomnas-a_last-map_23e_coco.py')
    assert cfg.train_cfg.max_epochs == 23
    assert cfg.optim_wrapper.optimizer.lr == 0.02
    warmup, steps = cfg.param_scheduler
    assert warmup.type == 'LinearLR' and not warmup.by_epoch
    assert steps.milestones == [15, 20] and steps.gamma == 0.1
    assert cfg.train_dataloader.batch_size * 8 == cfg.auto_scale_lr.base_batch_size == 16
    assert cfg.val_evaluator.metric == ['bbox', 'segm']


@pytest.mark.parametrize('schedule,epochs', [('1x', 12), ('3x', 12)])
def test_mmdet_schedules_report_masks(schedule, epochs):
    cfg = Config.fromfile(CONFIGS / f'mask-rcnn_attentivenas-a0_fpn_{schedule}_coco.py')
    assert cfg.train_cfg.max_epochs == epochs  # 3x: 12 epochs over the train set x 3
    assert cfg.val_evaluator.metric == cfg.test_evaluator.metric == ['bbox', 'segm']


def test_sync_bn_option():
    cfg = Config.fromfile(CONFIGS / 'mask-rcnn_atomnas-a_fpn_23e_coco.py')
    cfg.model.backbone.update(norm_cfg=dict(type='SyncBN'), norm_eval=False)
    model = build(cfg)
    assert any(isinstance(m, torch.nn.SyncBatchNorm) for m in model.backbone.modules())
    assert not any(type(m) is torch.nn.BatchNorm2d for m in model.backbone.modules())


def test_demo_trains_and_reports_bbox_and_segm(tmp_path, coco_demo, val_metrics):
    """tools/train.py on the demo config, on a smaller generated set."""
    from tools.train import main
    root = f'{coco_demo}/'
    ann = f'{root}annotations/instances_val2017.json'
    main([str(DEMO), '--work-dir', str(tmp_path), '--cfg-options',
          f'train_dataloader.dataset.data_root={root}', f'val_dataloader.dataset.data_root={root}',
          f'test_dataloader.dataset.data_root={root}', f'val_evaluator.ann_file={ann}',
          f'test_evaluator.ann_file={ann}', 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1'])
    metrics = val_metrics(tmp_path)
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP', 'coco/segm_mAP_50'):
        assert 0.0 <= metrics[key] <= 1.0


@pytest.mark.parametrize('name', ['mask-rcnn_atomnas-a_fpn_23e_coco.py',
                                  'mask-rcnn_atomnas-b_fpn_3x_coco.py'])
def test_train_cli_keeps_pseudo_collate(name):
    """mmdet images differ in size; tools/train.py must not stack them."""
    from tools.train import merge_args, parse_args
    cfg = merge_args(Config.fromfile(CONFIGS / name), parse_args([str(CONFIGS / name)]))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].collate_fn.type == 'pseudo_collate'


@pytest.mark.parametrize('name', ['mask-rcnn_atomnas-a_last-map_23e_coco.py',
                                  'mask-rcnn_attentivenas-a0_fpn_1x_coco.py'])
def test_training_step_gives_finite_losses_and_gradients(name):
    """One loss forward/backward of each variant (COCO's 80 classes)."""
    from mmdet.testing import demo_mm_inputs
    cfg = Config.fromfile(CONFIGS / name)
    cfg.model.train_cfg.rpn_proposal.update(nms_pre=100, max_per_img=50)
    cfg.model.train_cfg.rcnn.sampler.num = 32
    model = build(cfg).train()
    data = model.data_preprocessor(
        demo_mm_inputs(2, [[3, 96, 96], [3, 64, 80]], num_items=[2, 1], num_classes=80,
                       with_mask=True), True)
    total, _ = model.parse_losses(model(**data, mode='loss'))
    assert torch.isfinite(total)
    total.backward()
    head_conv = model.backbone.head.conv.weight  # the last-map tap and the FPN's stride 32
    assert head_conv.grad is not None and torch.isfinite(head_conv.grad).all()
    assert all(p.grad is None for p in model.backbone.stem.parameters())  # frozen
