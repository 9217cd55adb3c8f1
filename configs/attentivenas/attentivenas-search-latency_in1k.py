# Latency-constrained search as published (population 512, 20 generations,
# top-1 after BN recalibration, _base_/search_in1k.py), with a budget on the
# latency predicted from a table measured on the target device instead of
# FLOPs. Build the table on that device first (904 entries, the published
# space at 192-288 px; --backend onnxruntime for an onnxruntime deployment):
#   python tools/analysis/build_latency_lut.py --space attentivenas --device cpu --backend torch \
#       --batch 1 --threads 1 --rounds 2 --out work_dirs/luts/attentivenas_cpu_b1_t1.json
#   python tools/analysis/validate_latency_lut.py work_dirs/luts/attentivenas_cpu_b1_t1.json \
#       --num-archs 50 --out-dir work_dirs/luts/attentivenas_cpu_b1_t1_validation
#   python tools/search.py configs/attentivenas/attentivenas-search-latency_in1k.py \
#       --checkpoint SUPERNET.pth [--cfg-options search_cfg.max_latency_ms=...]
# The budget below is AttentiveNAS-A1's latency (18.54 ms) on the 2-core CPU of
# benchmarks/RESULTS.md (torch eager, batch 1, 1 thread); set your device's.
# FLOPs and params bounds combine with it (min_/max_mflops, min_/max_mparams).
_base_ = ['./_base_/search_in1k.py']
search_cfg = dict(
    max_mflops=1e9,
    max_latency_ms=18.5,
    latency_lut='work_dirs/luts/attentivenas_cpu_b1_t1.json',
    pareto_axis='latency_ms',
    verify_latency=True,
)
