# Search under the AttentiveNAS-A6 budget (A6: 709.01 MFLOPs at 288 px):
#   python tools/search.py configs/attentivenas/attentivenas-search-a6_in1k.py --checkpoint SUPERNET.pth
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(max_mflops=710)
