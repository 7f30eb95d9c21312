#!/usr/bin/env bash
# Make a virtualenv with TensorFlow 2.15 (CPU) and tensorflow-estimator 2.15: the last
# TensorFlow with tf.estimator / tf.feature_column's Estimator side. It is the second
# oracle: tests/tfcompat/test_estimator_oracle.py and tests/record_estimator_expected.py
# use it where it exists, and skip otherwise. Never a run-time dependency of tfcompat.
#
#   scripts/setup_tf215_oracle.sh [DIR]     (default: .venv-tf215 in the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/.venv-tf215}
if [[ ! -x $dir/bin/python ]]; then
  python3 -m venv "$dir"
fi
if ! "$dir/bin/python" -c "import tensorflow_estimator" 2>/dev/null; then
  "$dir/bin/pip" install -q "tensorflow-cpu==2.15.1" "tensorflow-estimator==2.15.0" "numpy<2"
fi
"$dir/bin/python" -c 'import os; os.environ["TF_CPP_MIN_LOG_LEVEL"]="3"; import tensorflow as tf; print("tf2.15 oracle ready: tensorflow", tf.__version__, "estimator", tf.estimator.Estimator.__module__)' 2>/dev/null
echo "python: $dir/bin/python"
