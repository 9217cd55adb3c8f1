# Claim 1's baseline: the same search with every atom weighed alike in the L1
# penalty (c_i = 1: network slimming's L1 on the BN gammas, AtomNAS Table 2's
# upper block) instead of the atom's FLOPs. Nothing else differs.
_base_ = ['./atomnas-search.py']
model = dict(supernet=dict(penalty_costs='uniform'))
