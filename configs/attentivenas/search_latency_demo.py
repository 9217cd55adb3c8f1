# Latency-constrained evolutionary search on the demo supernet
# (attentivenas-bestup3-loss_demo.py), on this CPU at batch 1 and 1 thread:
#   python tools/analysis/build_latency_lut.py --space attentivenas --resolutions 48 64 \
#       --threads 1 --rounds 2 --out work_dirs/luts/attentivenas_demo_cpu_b1_t1.json
#   python tools/search.py configs/attentivenas/search_latency_demo.py \
#       --checkpoint work_dirs/attentivenas-bestup3-loss_demo/epoch_3.pth
# The table covers the search space (the published widths/depths/kernels/
# expands at the demo's 48/64 px) with a 1000-class classifier (the search
# counts subnets as the FLOPs do). The budget is set for the 2-core CPU of
# benchmarks/RESULTS.md, where subnets of this space predict ~9-18 ms (the
# log prints the range the space reaches when a budget is off): pick one
# for your machine with --cfg-options search_cfg.max_latency_ms=... The run
# ends by measuring the best arch end to end with the table's settings.
_base_ = ['./search_demo.py']
search_cfg = dict(
    max_mflops=1e9,  # no FLOPs bound: latency alone
    max_latency_ms=11.0,
    latency_lut='work_dirs/luts/attentivenas_demo_cpu_b1_t1.json',
    pareto_axis='latency_ms',
    verify_latency=True,
)
