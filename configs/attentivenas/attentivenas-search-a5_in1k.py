# Search under the AttentiveNAS-A5 budget (A5: 490.52 MFLOPs at 256 px):
#   python tools/search.py configs/attentivenas/attentivenas-search-a5_in1k.py --checkpoint SUPERNET.pth
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(max_mflops=495)
