# Latency-aware prior (the FLOPs prior with buckets over predicted latency):
# the 2 middle subnets of each sandwich follow the space's distribution of
# latency on the target device (1 ms buckets), not of FLOPs. The table covers
# the supernet's space with a 1000-class classifier:
#   python tools/analysis/build_latency_lut.py --space attentivenas --threads 1 --rounds 2 \
#       --out work_dirs/luts/attentivenas_cpu_b1_t1.json
_base_ = ['./attentivenas-uniform_64xb32_in1k.py']
model = dict(sampler=dict(_delete_=True, type='FlopsPriorSampler', resource='latency',
                          latency_lut='work_dirs/luts/attentivenas_cpu_b1_t1.json',
                          pool_size=50000, bucket_ms=1.0, prior='empirical'))
