# Search under the AttentiveNAS-A4 budget (A4: 443.53 MFLOPs at 256 px):
#   python tools/search.py configs/attentivenas/attentivenas-search-a4_in1k.py --checkpoint SUPERNET.pth
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(max_mflops=445)
