# Search under the AttentiveNAS-A1 budget (A1: 279.24 MFLOPs at 224 px):
#   python tools/search.py configs/attentivenas/attentivenas-search-a1_in1k.py --checkpoint SUPERNET.pth
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(max_mflops=280)
