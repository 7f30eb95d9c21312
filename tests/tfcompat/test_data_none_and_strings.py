"""tf.data details the converted Estimator programs rely on: a None component (labels of a predict input_fn)
and NumPy str arrays, which are tf.string tensors of bytes as in TensorFlow."""
from __future__ import annotations

import numpy as np

import tfcompat as tf


def test_none_component_batches_maps_and_iterates_as_none():
    ds = tf.data.Dataset.from_tensor_slices(({"a": np.arange(4)}, None)).repeat(1).batch(3)
    assert repr(ds.element_spec[1]) == "NoneTensorSpec()"
    out = [(f["a"].numpy().tolist(), labels) for f, labels in ds.map(lambda f, labels: (f, labels))]
    assert out == [([0, 1, 2], None), ([3], None)]
    assert [x[1] for x in tf.data.Dataset.from_tensors((np.arange(2), None))] == [None]


def test_numpy_str_arrays_are_string_tensors_of_bytes():
    (city,) = list(tf.data.Dataset.from_tensor_slices({"c": np.array(["paris", "lima"])}).batch(2))
    assert city["c"].dtype == tf.string and city["c"].numpy().tolist() == [b"paris", b"lima"]
    assert tf.equal(city["c"], "lima").numpy().tolist() == [False, True]
