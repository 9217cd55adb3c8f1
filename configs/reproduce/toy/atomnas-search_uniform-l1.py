# Toy scale: ../cpu/atomnas-search_uniform-l1.py on the toy set.
_base_ = ['./atomnas-search.py']
model = dict(supernet=dict(penalty_costs='uniform'))
