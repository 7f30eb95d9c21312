"""Placement on a device backend, checked with the strict stand-in (runtime.backend_strict) on the CPU.

The stand-in refuses implicit conversion to NumPy, as CuPy does, so these tests fail if a
value makes an unplanned trip to the host. Tests marked `gpu` need CuPy and a real GPU.
"""
from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import tfcompat as tf
from runtime import backend, backend_strict
from runtime.ops.registry import OpDef

GPU, CPU = backend.GPU, backend.CPU


@pytest.fixture
def device():
    """The strict stand-in as the device (the process's own when TFCOMPAT_TEST_DEVICE=strict)."""
    if backend_strict.xp is backend.device_xp():
        yield backend_strict.STATS
        return
    with backend.using(backend_strict.xp):
        yield backend_strict.STATS


def test_strict_array_refuses_implicit_host_conversion():
    x = backend_strict.xp.asarray(np.arange(3.0))
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(x)
    with pytest.raises(TypeError, match="xp.sum"):
        np.sum(x)
    with pytest.raises(TypeError, match="ufunc"):
        np.exp(x)
    with pytest.raises(TypeError, match="host array"):
        backend_strict.xp.add(x, np.ones(3))
    with pytest.raises(TypeError, match="Unsupported dtype"):
        backend_strict.xp.asarray(np.array([b"a"], dtype=object))
    with pytest.raises(AttributeError, match="CuPy lacks it"):
        backend_strict.xp.frompyfunc  # noqa: B018
    assert type(x.sum()) is backend_strict.StrictArray and float(x.sum()) == 3.0  # 0-d, like CuPy
    np.testing.assert_array_equal(x.get(), [0.0, 1.0, 2.0])


def test_tensors_ops_and_variables_live_on_the_device(device):
    x = tf.constant([1.0, 2.0])
    y = x * 2.0 + 1.0
    assert x.device == GPU and y.device == GPU and type(y._value) is backend_strict.StrictArray
    v = tf.Variable([1.0, 2.0])
    v.assign_add([1.0, 1.0])
    assert v.device == GPU
    np.testing.assert_array_equal(v.numpy(), [2.0, 3.0])
    assert tf.constant("text").device == CPU  # strings stay on the host, as in TensorFlow
    assert tf.shape(y).device == CPU           # so does shape metadata
    assert tf.reduce_sum(tf.reshape(y, tf.shape(y))).device == GPU


def test_tf_device_overrides_and_inputs_are_copied_to_the_ops_device(device):
    x = tf.constant([1.0, 2.0])
    with tf.device("/CPU:0"):
        c = tf.constant([3.0, 4.0])
        mixed = x + c                      # a GPU input copied to the CPU op
        assert c.device == CPU and mixed.device == CPU and type(mixed._value) is np.ndarray
        with tf.device("/device:GPU:0"):
            assert (c * 2.0).device == GPU
    back = mixed + x                       # a CPU input copied to the GPU op
    assert back.device == GPU
    np.testing.assert_array_equal(back.numpy(), [5.0, 8.0])


def test_numpy_printing_and_python_scalars_copy_back_to_the_host(device):
    y = tf.constant([[1.5, 2.0]]) * 2.0
    out = y.numpy()
    assert type(out) is np.ndarray and out.tolist() == [[3.0, 4.0]]
    assert str(y) == "tf.Tensor([[3. 4.]], shape=(1, 2), dtype=float32)"
    assert repr(y).startswith("<tf.Tensor: shape=(1, 2), dtype=float32, numpy=")
    assert float(tf.reduce_sum(y)) == 7.0 and np.asarray(y).tolist() == [[3.0, 4.0]]


def test_session_run_returns_host_values_and_copies_feeds_once_per_run(device):
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        w = tf.compat.v1.get_variable("w", initializer=tf.ones([3, 2]))
        y = tf.nn.relu(tf.matmul(x, w) - 1.0)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            feed = np.ones((4, 3), np.float32)
            first = sess.run(y, {x: feed})
            before = dict(device)
            second = sess.run(y, {x: feed})
    assert type(second) is np.ndarray and second.tolist() == [[2.0, 2.0]] * 4 and first.tolist() == second.tolist()
    assert device["to_device"] - before["to_device"] == 1   # the one feed
    assert device["to_host"] - before["to_host"] == 1       # the one fetch


def test_function_training_step_makes_no_host_copies(device):
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)])
    opt = tf.keras.optimizers.Adam(0.01)
    x = tf.constant(np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32))
    y = tf.constant(np.random.default_rng(1).integers(0, 2, 16).astype(np.int32))

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True))
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    first = float(step(x, y))
    before = dict(device)
    losses = [step(x, y) for _ in range(3)]
    assert device == before, "a compiled step copied values between host and device"
    assert all(v.device == GPU for v in model.trainable_variables + opt.variables)
    assert float(losses[-1]) < first


def test_host_only_op_warns_once_and_runs_on_the_host(device):
    seen = []
    op = OpDef("HostOnlyProbe", lambda xp: lambda x: (seen.append(xp), x + 1)[1], host_only="test probe")
    x = tf.constant([1.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = op(x)
        op(x)
    assert seen == [np, np] and y.device == CPU and y.numpy().tolist() == [2.0]
    assert [str(w.message) for w in caught].count(
        "op HostOnlyProbe has no device kernel (test probe): it runs on the host and its results are "
        "copied to the device") == 1


def test_numpy_only_kernel_is_an_error_under_the_strict_device(device):
    op = OpDef("NumpyOnlyProbe", lambda xp: lambda x: np.zeros(x.shape, x.dtype))
    with pytest.raises(TypeError, match="NumpyOnlyProbe returned a host array"):
        op(tf.constant([1.0]))


def _run(code: str, **env: str) -> str:
    full = {**os.environ, "TFCOMPAT_TEST_DEVICE": "strict", **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full,
                          check=True).stdout.strip()


def test_set_visible_devices_and_cuda_visible_devices_give_cpu_only_runs():
    code = "import tfcompat as tf; {}print(tf.constant(1.0).device, len(tf.config.list_logical_devices('GPU')))"
    assert _run(code.format("")) == f"{GPU} 1"
    assert _run(code.format("tf.config.set_visible_devices([], 'GPU'); ")) == f"{CPU} 0"
    assert _run(code.format(""), CUDA_VISIBLE_DEVICES="") == f"{CPU} 0"
    late = "import tfcompat as tf; tf.constant(1.0)\ntry: tf.config.set_visible_devices([], 'GPU')\n" \
           "except RuntimeError as e: print(e)"
    assert _run(late) == "Visible devices cannot be modified after being initialized"


@pytest.mark.gpu
def test_real_gpu_placement_and_fused_kernel():
    cp = pytest.importorskip("cupy")
    if not backend.gpu_available() or backend.device_xp() is not cp:
        pytest.skip("needs CuPy and a visible GPU")
    x = tf.constant(np.arange(1 << 16, dtype=np.float32))
    assert x.device == GPU and isinstance(x._value, cp.ndarray)
    f = tf.function(lambda x, a, b: tf.reduce_sum(tf.nn.relu(x * a + b)))
    got = float(f(x, tf.constant(0.5), tf.constant(-100.0)))
    want = float(np.maximum(np.arange(1 << 16, dtype=np.float64) * 0.5 - 100.0, 0).sum())
    assert abs(got - want) / want < 1e-5


def test_random_numbers_on_the_device_are_the_cpu_numbers():
    def draw():
        tf.random.set_seed(7)
        return [tf.random.normal([3], seed=2), tf.random.uniform([2], seed=3),
                tf.random.stateless_normal([2], seed=[1, 2]), tf.random.stateless_uniform([2], seed=[3, 4])]
    with tf.device("/CPU:0"):
        on_cpu = draw()
    assert all(t.device == CPU for t in on_cpu)
    with backend.using(backend_strict.xp):
        on_device = draw()
        assert all(t.device == GPU for t in on_device)
        for c, d in zip(on_cpu, on_device):
            np.testing.assert_array_equal(d.numpy(), c.numpy())


def test_function_runs_where_it_is_called(device):
    f = tf.function(lambda x: tf.nn.relu(x * 2.0 - 1.0))
    x = tf.constant([1.0, -1.0])
    on_gpu = f(x)
    with tf.device("/CPU:0"):
        on_cpu = f(x)
    assert on_gpu.device == GPU and on_cpu.device == CPU and type(on_cpu._value) is np.ndarray
    assert on_cpu.numpy().tolist() == on_gpu.numpy().tolist() == [1.0, 0.0]
