# Search under the AttentiveNAS-A2 budget (A2: 316.73 MFLOPs at 224 px):
#   python tools/search.py configs/attentivenas/attentivenas-search-a2_in1k.py --checkpoint SUPERNET.pth
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(max_mflops=320)
