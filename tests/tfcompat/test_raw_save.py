"""tf.raw_ops.SaveV2 writes a name-based checkpoint bundle that tfcompat and TensorFlow read back by name."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import tfcompat as tf
from tests import warm_python
from tests.oracle_python import oracle_python


def test_save_v2_writes_tensors_under_their_names(tmp_path) -> None:
    prefix = str(tmp_path / "init")
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=["dnn/kernel", "step"], shape_and_slices=["", ""],
                      tensors=[np.arange(6, dtype=np.float32).reshape(2, 3), tf.constant(7, tf.int64)])
    reader = tf.train.load_checkpoint(prefix)
    assert reader.get_variable_to_shape_map() == {"dnn/kernel": [2, 3], "step": []}
    np.testing.assert_array_equal(reader.get_tensor("dnn/kernel"), np.arange(6, dtype=np.float32).reshape(2, 3))
    assert reader.get_tensor("step").dtype == np.int64
    py = oracle_python()
    if py is not None:
        code = ("import sys, tensorflow as tf; r = tf.train.load_checkpoint(sys.argv[1]); "
                "print(r.get_tensor('dnn/kernel').sum(), r.get_tensor('step'))")
        run = warm_python.run([py, "-c", code, prefix], capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        assert run.stdout.split() == ["15.0", "7"], run.stderr[-1000:]


def test_save_v2_names_what_it_cannot_write(tmp_path) -> None:
    with pytest.raises(NotImplementedError, match="shape_and_slices"):
        tf.raw_ops.SaveV2(prefix=str(tmp_path / "x"), tensor_names=["a"], shape_and_slices=["2 0,1"], tensors=[[1.0]])
    with pytest.raises(ValueError, match="one of each per tensor"):
        tf.raw_ops.SaveV2(prefix=str(tmp_path / "x"), tensor_names=["a", "b"], shape_and_slices=[""], tensors=[[1.0]])
