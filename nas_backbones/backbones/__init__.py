"""Searched networks as mmpretrain / mmdet backbones (registering)."""
from .cls_head import NASClsHead
from .pretrained import load_pretrained, read_weights
from .resize_preprocessor import ResizeClsDataPreprocessor
from .searched_mobilenet import SearchedMobileNet

__all__ = ['NASClsHead', 'ResizeClsDataPreprocessor', 'SearchedMobileNet', 'load_pretrained',
           'read_weights']
