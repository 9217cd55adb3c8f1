# Baseline: middle subnets from the FLOPs-aware prior alone (no scoring).
# The table: `python tools/analysis/build_flops_table.py --out work_dirs/attentivenas_flops_table.npz`
# (without it the sampler builds the same table in memory at start-up, ~2 s).
_base_ = ['./attentivenas-uniform_64xb32_in1k.py']
model = dict(sampler=dict(_delete_=True, type='FlopsPriorSampler', table=None, pool_size=50000,
                          bucket_mflops=25.0, prior='empirical'))
