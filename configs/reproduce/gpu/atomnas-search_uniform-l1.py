# GPU scale of ../cpu/atomnas-search_uniform-l1.py: c_i = 1 on the GPU-scale search.
_base_ = ['./atomnas-search.py']
model = dict(supernet=dict(penalty_costs='uniform'))
