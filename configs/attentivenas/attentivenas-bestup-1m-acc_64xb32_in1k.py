# BestUp "1M" (offline): the predictor scores 1 M random archs once at start-up
# (~15 s with the numpy forest), the best Pareto set is kept, and middle subnets
# are drawn from it (the Pareto arch nearest to a FLOPs-prior target).
_base_ = ['./attentivenas-bestup50-acc_64xb32_in1k.py']
model = dict(sampler=dict(pareto_pool=1000000, pareto_seed=0))
