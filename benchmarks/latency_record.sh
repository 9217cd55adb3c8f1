#!/usr/bin/env bash
# The latency figures of benchmarks/RESULTS.md ("Latency"), in one go, on the
# CPU at batch 1 and 1 thread. Needs a quiet machine (1-min load < 1.0; the
# script refuses otherwise unless FORCE=1) and the demo supernet checkpoint
# (python tools/train.py configs/attentivenas/attentivenas-bestup3-loss_demo.py).
# About 15-20 minutes on 2 cores. Outputs: benchmarks/latency/ (committed)
# and work_dirs/luts/ (the tables, machine-specific, not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
load=$(cut -d' ' -f1 /proc/loadavg)
if [ "${FORCE:-0}" != 1 ] && awk "BEGIN{exit !($load >= 1.0)}"; then
  echo "load average $load >= 1.0: timings would not be for the record (FORCE=1 to run anyway)"
  exit 1
fi
mkdir -p benchmarks/latency work_dirs/luts
lscpu | head -20 > benchmarks/latency/lscpu.txt
# 1. AttentiveNAS table (published space, 904 entries) and its validation on 50 other subnets.
$PY tools/analysis/build_latency_lut.py --space attentivenas --device cpu --backend torch \
    --batch 1 --threads 1 --rounds 2 --out work_dirs/luts/attentivenas_cpu_b1_t1.json
$PY tools/analysis/validate_latency_lut.py work_dirs/luts/attentivenas_cpu_b1_t1.json \
    --num-archs 50 --out-dir benchmarks/latency/attentivenas_lut_validation
# 2. The zoo: all 13 published nets, torch eager and onnxruntime, interleaved rounds.
$PY tools/analysis/zoo_latency.py --backends torch onnxruntime --batch 1 --threads 1 \
    --rounds 3 --repeats 30 --out-dir benchmarks/latency/zoo
# 3. The latency-constrained search demo: demo-space table, search, measured best arch.
$PY tools/analysis/build_latency_lut.py --space attentivenas --resolutions 48 64 --threads 1 \
    --rounds 2 --out work_dirs/luts/attentivenas_demo_cpu_b1_t1.json
$PY tools/search.py configs/attentivenas/search_latency_demo.py \
    --checkpoint work_dirs/attentivenas-bestup3-loss_demo/epoch_3.pth \
    --work-dir work_dirs/search_latency_demo > work_dirs/search_latency_demo.log 2>&1
grep '\[nas_backbones\]' work_dirs/search_latency_demo.log | tee benchmarks/latency/search_latency_demo.txt
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
