# Search under the AttentiveNAS-A3 budget (A3: 356.52 MFLOPs at 224 px):
#   python tools/search.py configs/attentivenas/attentivenas-search-a3_in1k.py --checkpoint SUPERNET.pth
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(max_mflops=360)
