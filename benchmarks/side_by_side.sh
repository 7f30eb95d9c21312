#!/usr/bin/env bash
# Run the shared yardstick (../shared/bench) for TensorFlow and tfcompat side by side
# (one subprocess per workload and implementation, alternating) and print the ratio table.
#
#   benchmarks/side_by_side.sh [WORKLOADS] [REPEATS]      e.g.  benchmarks/side_by_side.sh W1,W3,W10 5
#
# TF_PY: a Python with tensorflow-cpu 2.21 (default: ../shared/oracle's venv, made by its setup.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_DIR:-$here/../../shared/bench}
[ -d "$bench" ] || { echo "no yardstick at $bench (set BENCH_DIR)"; exit 2; }
workloads=${1:-W1,W2,W3,W4,W5,W6,W7,W8,W9,W10}
repeats=${2:-5}
tf_py=${TF_PY:-$(bash "$bench/../oracle/setup.sh" "${TF_VENV:-$here/../.venv-tf}" | sed -n 's/^python: //p')}
out=${OUT_DIR:-$here/../results/$(date +%Y%m%d-%H%M%S)}
export TF_CPP_MIN_LOG_LEVEL=2
python3 "$bench/run.py" --impl tensorflow,tfcompat --workloads "$workloads" --repeats "$repeats" \
  --interleave --quiet-wait 30 --outdir "$out" --python tensorflow="$tf_py" --python tfcompat="$(command -v python3)"
python3 "$bench/compare.py" "$out"/*.json "$out"/*/*.json 2>/dev/null || python3 "$bench/compare.py" "$out"/*.json
