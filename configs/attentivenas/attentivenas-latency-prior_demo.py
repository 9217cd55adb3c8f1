# Latency-aware prior on the demo (see attentivenas-bestup3-loss_demo.py), with
# the demo space's table (48/64 px, 1000 classes; ~2 minutes on 2 cores):
#   python tools/analysis/build_latency_lut.py --space attentivenas --resolutions 48 64 \
#       --threads 1 --rounds 2 --out work_dirs/luts/attentivenas_demo_cpu_b1_t1.json
#   python tools/train.py configs/attentivenas/attentivenas-latency-prior_demo.py
# 0.5 ms buckets: the demo subnets span ~9-18 ms on this repo's 2-core CPU.
_base_ = ['./attentivenas-bestup3-loss_demo.py']
model = dict(sampler=dict(_delete_=True, type='FlopsPriorSampler', resource='latency',
                          latency_lut='work_dirs/luts/attentivenas_demo_cpu_b1_t1.json',
                          pool_size=5000, bucket_ms=0.5))
