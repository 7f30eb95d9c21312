"""tf.math / array / linalg API: names and signatures against TF 2.21's table, dtype rules, errors, behaviour."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import tfcompat as tf
from tests import tfapi
from tfcompat import _export

MODULES = ("tfcompat._impl.math_ops", "tfcompat._impl.math_ops_reduce", "tfcompat._impl.array_ops",
           "tfcompat._impl.array_ops_index", "tfcompat._impl.linalg_ops")


def _table(version):
    return tfapi.symbols(version)


def _ours(table):
    return sorted(n for n, obj in table.items() if getattr(obj, "__module__", "") in MODULES)


def _sig(entry):
    out = []
    for p in entry["signature"]:
        prefix = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(p["kind"], "")
        out.append(prefix + p["name"] + ("=" + p["default"] if "default" in p else ""))
    return out


def _our_sig(fn):
    out = []
    for p in inspect.signature(fn).parameters.values():
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        d = "" if p.default is p.empty else "=" + (f"tf.{p.default.name}" if isinstance(p.default, tf.DType)
                                                    else repr(p.default))
        out.append(prefix + p.name + d)
    return out


@pytest.mark.parametrize("name", _ours(_export.V2))
def test_v2_signature_matches_tensorflow(name):
    entry = _table("v2").get("tf." + name)
    assert entry is not None, f"tf.{name} is not a TF 2.21 name"
    assert _our_sig(_export.V2[name]) == _sig(entry), f"tf.{name}"


@pytest.mark.parametrize("name", _ours(_export.V2))
def test_v2_aliases_are_one_object(name):
    same = [s[6:] for s in _table("v2")["tf." + name].get("same_object_as", []) if s.startswith("v2:")]
    for other in same:
        assert _export.V2.get(other) is _export.V2[name], f"tf.{other} should be tf.{name}"


@pytest.mark.parametrize("name", _ours(_export.V1))
def test_v1_names_have_tf1_signatures(name):
    """A v1 name bound to one of these v2 functions must have the same signature in TF1 (else the v1 layer
    needs its own spelling: reduce_sum's keep_dims, argmax's dimension...)."""
    entry = _table("v1").get("tf." + name)
    assert entry is not None, f"tf.compat.v1.{name} is not a TF1 name"
    assert _our_sig(_export.V1[name]) == _sig(entry), f"tf.compat.v1.{name} differs from TF1's signature"


# -- dtype rules ----------------------------------------------------------------------------
def test_no_silent_promotion_names_both_dtypes():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"int32.*float|float.*int32"):
        tf.add(tf.constant(1), tf.constant(1.0))


def test_python_scalars_adopt_tensor_dtype():
    assert tf.add(tf.constant(1.0, tf.float64), 2).dtype == tf.float64
    assert tf.maximum(tf.constant([1], tf.int64), 0).dtype == tf.int64
    assert tf.constant(1.0).dtype == tf.float32 and tf.constant(1).dtype == tf.int32
    assert tf.constant(np.float64(1)).dtype == tf.float64


def test_incompatible_shapes_message():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2,3\] vs. \[4\] \[Op:AddV2\]"):
        tf.add(tf.ones([2, 3]), tf.ones([4]))


def test_integer_division_and_argmax_output_type():
    assert tf.divide(7, 2).dtype == tf.float64 and float(tf.divide(7, 2)) == 3.5
    assert tf.math.argmax([[1, 5], [7, 2]], axis=1).dtype == tf.int64
    assert tf.math.argmin([3, 1, 2], output_type=tf.int32).numpy() == 1


def test_gather_out_of_range_is_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 3\)"):
        tf.gather([1, 2, 3], [0, 5])


# -- behaviour ------------------------------------------------------------------------------
def test_named_tuples_and_iteration():
    values, indices = tf.math.top_k([1.0, 5.0, 3.0], k=2)
    assert values.numpy().tolist() == [5.0, 3.0] and tf.math.top_k([1, 2]).indices.dtype == tf.int32
    assert tf.unique([3, 1, 3]).idx.numpy().tolist() == [0, 1, 0]
    rows = list(tf.constant([[1, 2], [3, 4]]))
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4]]
    assert tf.convert_to_tensor([tf.constant(1.0), 2.0]).numpy().tolist() == [1.0, 2.0]


def test_split_pad_where_mask():
    parts = tf.split(tf.reshape(tf.range(10), [2, 5]), [2, -1], axis=1)
    assert [p.shape.as_list() for p in parts] == [[2, 2], [2, 3]]
    assert tf.pad([[1, 2]], [[0, 0], [2, 1]], "SYMMETRIC").numpy().tolist() == [[2, 1, 1, 2, 2]]
    assert tf.where([True, False, True]).numpy().tolist() == [[0], [2]]
    assert tf.where([True, False], 1.0, 0.0).numpy().tolist() == [1.0, 0.0]
    assert tf.boolean_mask([[1, 2], [3, 4]], [False, True]).numpy().tolist() == [[3, 4]]
    assert tf.sequence_mask([2], 3).numpy().tolist() == [[True, True, False]]


def test_gradients_through_composites():
    x = tf.constant([[1.0, -2.0], [3.0, 0.5]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.sort(x, axis=1) * [1.0, 10.0]) + tf.linalg.trace(tf.linalg.inv(x))
    g = tape.gradient(y, x).numpy()
    inv = np.linalg.inv(x.numpy())
    want = np.array([[10.0, 1.0], [10.0, 1.0]]) - (inv @ inv).T  # sorted order decides the weights
    np.testing.assert_allclose(g, want, rtol=1e-5)


def test_strided_slice_masks_and_einsum_forms():
    x = tf.reshape(tf.range(24), [2, 3, 4])
    got = tf.strided_slice(x, [0, 0, 1], [0, 0, 4], [1, 1, 2], begin_mask=0b010, end_mask=0b010,
                           shrink_axis_mask=0b001)
    assert got.numpy().tolist() == x.numpy()[0, :, 1:4:2].tolist()
    a = np.arange(6.0).reshape(2, 3).astype(np.float32)
    np.testing.assert_allclose(tf.einsum("...j,kj->...k", a, a).numpy(), a @ a.T)
    np.testing.assert_allclose(tf.einsum("ij->", a).numpy(), a.sum())
