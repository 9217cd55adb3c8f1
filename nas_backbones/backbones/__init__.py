"""Searched networks as mmpretrain / mmdet backbones (registering)."""
from .cls_head import NASClsHead
from .pretrained import load_pretrained, read_weights
from .searched_mobilenet import SearchedMobileNet

__all__ = ['NASClsHead', 'SearchedMobileNet', 'load_pretrained', 'read_weights']
