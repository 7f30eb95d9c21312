"""tf.contrib.layers.conv2d / max_pool2d / avg_pool2d on tfcompat, against a NumPy reference.

TensorFlow 2 has no tf.contrib, so the reference is TF1's documented behaviour: a SAME convolution
with Glorot-uniform weights under scope 'Conv' ('Conv/weights', 'Conv/biases'), then ReLU; pools of
stride 2 and VALID padding by default.
"""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat.compat.v1 as tf1


def _conv_same(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    kh, kw = w.shape[:2]
    pad = np.pad(x, [(0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)])
    out = np.zeros(x.shape[:3] + (w.shape[3],), np.float32)
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            out[:, i, j] = np.tensordot(pad[:, i:i + kh, j:j + kw], w, axes=3)
    return out


def test_conv2d_is_a_same_convolution_with_relu_and_contrib_variable_names() -> None:
    x = np.random.RandomState(0).randn(2, 5, 5, 3).astype(np.float32)
    w = np.random.RandomState(1).randn(3, 3, 3, 4).astype(np.float32)
    with tf1.Graph().as_default():
        y = tf1.contrib.layers.conv2d(tf1.constant(x), 4, 3, weights_initializer=tf1.constant_initializer(w))
        names = [v.name for v in tf1.global_variables()]
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            got = sess.run(y)
    assert names == ["Conv/weights:0", "Conv/biases:0"]
    np.testing.assert_allclose(got, np.maximum(_conv_same(x, w), 0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("pool, reduce", [("max_pool2d", np.max), ("avg_pool2d", np.mean)])
def test_pools_default_to_stride_2_valid(pool: str, reduce) -> None:
    x = np.arange(2 * 5 * 5 * 1, dtype=np.float32).reshape(2, 5, 5, 1)
    with tf1.Graph().as_default(), tf1.Session() as sess:
        got = sess.run(getattr(tf1.contrib.layers, pool)(tf1.constant(x), 2))
    want = np.zeros((2, 2, 2, 1), np.float32)
    for i in range(2):
        for j in range(2):
            want[:, i, j] = reduce(x[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2], axis=(1, 2))
    np.testing.assert_allclose(got, want)


def test_conv2d_refuses_nchw_naming_the_argument() -> None:
    with tf1.Graph().as_default(), pytest.raises(NotImplementedError, match="data_format='NCHW'"):
        tf1.contrib.layers.conv2d(tf1.zeros([1, 3, 4, 4]), 2, 3, data_format="NCHW")
