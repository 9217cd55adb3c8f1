# AtomNAS-A search (stem 16, lambda 1.8e-4, 350 epochs) with latency instead
# of FLOPs as the resource of the penalty: c_i = each atom's marginal latency
# on the target device (the slope of the supernet's latency table; the paper
# allows any additive resource), normalised by the mean as the FLOPs costs.
# Shrinking still frees FLOPs-thresholded dead atoms; the log reports FLOPs
# and the predicted latency. Build the table on the target device first:
#   python tools/analysis/build_latency_lut.py --space atomnas \
#       --config configs/atomnas/atomnas-a-latency-search_8xb256_in1k.py \
#       --device cpu --backend torch --batch 1 --threads 1 --rounds 2 \
#       --out work_dirs/luts/atomnas_a_supernet_cpu_b1_t1.json
#   torchrun --nproc_per_node 8 tools/train.py configs/atomnas/atomnas-a-latency-search_8xb256_in1k.py --launcher pytorch
# No published reference: the latency of the result depends on lambda.
_base_ = ['./atomnas-a-search_8xb256_in1k.py']
model = dict(supernet=dict(penalty_costs='latency',
                           latency_lut='work_dirs/luts/atomnas_a_supernet_cpu_b1_t1.json'))
