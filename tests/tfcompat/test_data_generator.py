"""Dataset.from_generator's element_spec comes from its arguments; map traces once (TF semantics)."""
from __future__ import annotations

import tfcompat as tf


def _counter(mod):
    count = [0]

    def gen():
        for i in range(3):
            count[0] += 1
            yield i
    ds = mod.data.Dataset.from_generator(gen, output_signature=mod.TensorSpec(shape=(), dtype=mod.int32))
    spec = repr(ds.element_spec)
    seen = []
    for _ in range(3):
        list(ds)
        seen.append(count[0])
    return spec, seen


def test_generator_not_run_for_element_spec(oracle):
    assert _counter(tf) == _counter(oracle) == ("TensorSpec(shape=(), dtype=tf.int32, name=None)", [3, 6, 9])


def test_specs_from_types_and_shapes(oracle):
    def specs(mod):
        a = mod.data.Dataset.from_generator(lambda: iter([(1, [2.0])]), output_types=(mod.int64, mod.float32),
                                            output_shapes=((), (None,)))
        b = mod.data.Dataset.from_generator(lambda: iter([{"a": 1}]), output_types={"a": mod.int64})
        return repr(a.element_spec), repr(b.element_spec), [repr(x) for x in b.as_numpy_iterator()]
    assert specs(tf) == specs(oracle)


def test_map_traces_once(oracle):
    def run(mod):
        calls = []

        def f(x):
            calls.append(1)
            return mod.cast(x, mod.float32) * 2
        ds = mod.data.Dataset.range(4).map(f)
        return repr(ds.element_spec), [float(v) for v in ds], [float(v) for v in ds], len(calls)
    assert run(tf) == run(oracle)
