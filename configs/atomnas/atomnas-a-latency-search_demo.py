# The AtomNAS search demo (atomnas-a-search_demo.py) with per-atom latency
# costs measured on this machine (~1 minute to build, 1 thread, batch 1):
#   python tools/analysis/build_latency_lut.py --space atomnas \
#       --config configs/atomnas/atomnas-a-latency-search_demo.py --threads 1 --rounds 2 \
#       --out work_dirs/luts/atomnas_demo_cpu_b1_t1.json
#   python tools/train.py configs/atomnas/atomnas-a-latency-search_demo.py
# Every shrink line of the log ends with the predicted latency of the live net
# ("..., predicted X ms"), and `latency_ms` is logged with the losses.
_base_ = ['./atomnas-a-search_demo.py']
model = dict(supernet=dict(penalty_costs='latency', latency_lut='work_dirs/luts/atomnas_demo_cpu_b1_t1.json'))
