"""tf.debugging.set_log_device_placement logs each eager op's device; tf.test.is_built_with_cuda answers for tfcompat."""
from __future__ import annotations

import importlib.util

import tfcompat as tf


def test_each_eager_op_is_logged_with_its_device_until_logging_is_turned_off(capsys):
    a = tf.constant([[1.0, 2.0]])
    tf.debugging.set_log_device_placement(True)
    try:
        product = tf.matmul(a, tf.transpose(a))
    finally:
        tf.debugging.set_log_device_placement(False)
    assert float(product.numpy()[0, 0]) == 5.0
    logged = capsys.readouterr().err.splitlines()
    assert logged == [f"Executing op Transpose in device {product.device}",
                      f"Executing op MatMul in device {product.device}"]
    (a * 2.0).numpy()
    assert capsys.readouterr().err == ""


def test_built_with_cuda_means_the_cupy_backend_is_installed():
    assert tf.test.is_built_with_cuda() is (importlib.util.find_spec("cupy") is not None)
    assert tf.test.is_built_with_gpu_support() is tf.test.is_built_with_cuda()
