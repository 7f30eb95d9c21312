"""tf.config device queries and settings, compared with TensorFlow 2.21 on the CPU."""
from __future__ import annotations

import pytest

import tfcompat as tf


def test_cpu_devices_match_tensorflow(oracle):
    assert repr(tf.config.list_physical_devices("CPU")) == repr(oracle.config.list_physical_devices("CPU"))
    assert repr(tf.config.list_logical_devices("CPU")) == repr(oracle.config.list_logical_devices("CPU"))
    assert tf.config.experimental.list_physical_devices is tf.config.list_physical_devices


def test_visible_devices_and_settings():
    cpus = tf.config.list_physical_devices("CPU")
    tf.config.set_visible_devices(cpus, "CPU")
    assert tf.config.get_visible_devices("CPU") == cpus
    with pytest.raises(ValueError, match="non-GPU"):
        tf.config.experimental.set_memory_growth(cpus[0], True)
    old = tf.config.threading.get_inter_op_parallelism_threads()
    tf.config.threading.set_inter_op_parallelism_threads(3)
    assert tf.config.threading.get_inter_op_parallelism_threads() == 3
    tf.config.threading.set_inter_op_parallelism_threads(old)
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
        assert tf.config.experimental.get_memory_growth(gpu) is True
