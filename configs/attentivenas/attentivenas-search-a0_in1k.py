# Search under the AttentiveNAS-A0 budget (A0: 203.39 MFLOPs at 192 px):
#   python tools/search.py configs/attentivenas/attentivenas-search-a0_in1k.py --checkpoint SUPERNET.pth
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(max_mflops=205)
