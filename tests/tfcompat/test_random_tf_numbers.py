"""tfcompat's random API draws TensorFlow's numbers: eager (tf.random.set_seed) and v1 graphs
(tf.set_random_seed, the per-graph op-seed counter), initializers, shuffle and dropout."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat


def _eager(t, seed):
    t.random.set_seed(seed)
    out = [t.random.normal([3, 2]), t.random.uniform([5], 2, 7), t.random.truncated_normal([7], dtype=t.float64, seed=3),
           t.random.uniform([4], maxval=10, dtype=t.int32), t.random.normal([3, 2]), t.random.shuffle(t.range(10)),
           t.random.uniform([3], dtype=t.float64), t.random.stateless_normal([4], seed=[1, 2]),
           t.random_normal_initializer(seed=3)([2, 2]), t.random_uniform_initializer(seed=None)([3]),
           t.random_uniform_initializer(-1.0, 1.0, seed=5)([4]), t.nn.dropout(t.ones([8]), 0.5),
           t.nn.dropout(t.ones([4, 3]) * 2.0, 0.25, seed=9)]
    return [np.asarray(o) for o in out]


def _graph(t, seed):
    v1 = t.compat.v1
    g = v1.Graph()
    with g.as_default():
        v1.set_random_seed(seed)
        xs = [v1.random_normal([3]), v1.truncated_normal([3], stddev=0.1), v1.random_uniform([3], -1, 1, seed=4),
              v1.random_normal([3], seed=1), v1.random_normal([3], seed=1), v1.random_shuffle(v1.range(6))]
        w = v1.get_variable("w", [3, 2], initializer=v1.glorot_uniform_initializer())
        w2 = v1.get_variable("w2", [3, 2], initializer=v1.truncated_normal_initializer(stddev=0.1))
        w3 = v1.get_variable("w3", [5], initializer=v1.random_uniform_initializer(-0.5, 0.5))
        w4 = v1.Variable(v1.random_normal([2, 2], stddev=0.3), name="w4")
        d = v1.nn.dropout(v1.ones([6]), rate=0.5)
        with v1.Session() as s:
            s.run(v1.global_variables_initializer())
            first = s.run(xs + [w, w2, w3, w4, d])
            again = s.run(xs)  # each stateful kernel continues its stream
    return [np.asarray(o) for o in first + again]


def _same(want, got):
    for i, (a, b) in enumerate(zip(want, got)):
        assert a.dtype == b.dtype and a.shape == b.shape, i
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), f"value {i}: {a.ravel()[:4]} vs {b.ravel()[:4]}"
    assert len(want) == len(got)


@pytest.mark.parametrize("seed", [1, 5, 1234])
def test_eager_numbers_are_tensorflows(oracle, seed):
    _same(_eager(oracle, seed), _eager(tfcompat, seed))


@pytest.mark.parametrize("seed", [0, 7])
def test_v1_graph_numbers_are_tensorflows(oracle, seed):
    _same(_graph(oracle, seed), _graph(tfcompat, seed))


def test_recorded_eager_values():
    """Recorded from TensorFlow 2.21: tf.random.set_seed(5); normal([3]); uniform([2], seed=1) (runs without TF)."""
    tfcompat.random.set_seed(5)
    assert tfcompat.random.normal([3]).numpy().tolist() == [-0.18030665814876556, -0.9502862691879272,
                                                            -0.03964049369096756]
    assert tfcompat.random.uniform([2], seed=1).numpy().view(np.uint32).tolist() == [0x3EC668D0, 0x3F3FA0AE]


def test_get_seed_rules():
    v1 = tfcompat.compat.v1
    g = v1.Graph()
    with g.as_default():
        assert v1.get_seed(None) == (None, None)
        assert v1.get_seed(3) == (87654321, 3)
        v1.set_random_seed(0)
        assert [v1.get_seed(None) for _ in range(3)] == [(0, 2**31 - 1), (0, 1), (0, 2)]  # (0, 0) is avoided


@pytest.mark.parametrize("name,kwargs,shape", [
    ("RandomUniform", {}, (3, 5)), ("RandomNormal", {"stddev": 0.3}, (7,)), ("TruncatedNormal", {}, (4, 4)),
    ("GlorotUniform", {}, (5, 3)), ("GlorotNormal", {}, (6, 2)), ("HeNormal", {}, (3, 3, 2, 4)),
    ("LecunUniform", {}, (9, 2)), ("VarianceScaling", {"distribution": "untruncated_normal"}, (4, 3))])
def test_keras_initializers_with_a_seed_are_tensorflows(oracle, name, kwargs, shape):
    for seed in (0, 1, 77):
        want = getattr(oracle.keras.initializers, name)(seed=seed, **kwargs)(shape).numpy()
        got = getattr(tfcompat.keras.initializers, name)(seed=seed, **kwargs)(shape).numpy()
        _same([want], [got])


def _traced(t):
    t.random.set_seed(3)

    @t.function
    def f(x):
        return t.random.normal([2]) + x, t.random.uniform([3], seed=5), t.nn.dropout(t.ones([4]), 0.5)

    @t.function
    def g():
        return t.random.truncated_normal([3])
    a, b = f(t.constant(1.0)), f(t.constant(1.0))   # one trace: each stateful kernel continues its stream
    return [np.asarray(v) for v in (*a, *b, g(), g())]


def test_tf_function_numbers_are_tensorflows(oracle):
    """A traced function's graph takes the global seed and numbers its unseeded ops 0, 1, ... (FuncGraph)."""
    _same(_traced(oracle), _traced(tfcompat))


def _discrete(t, seed):
    """categorical, multinomial, the log-uniform sampler and the sampled losses, eager then in a v1 graph."""
    t.random.set_seed(seed)
    logits = np.log(np.array([[0.1, 0.2, 0.3, 0.4], [0.6, 0.2, 0.1, 0.1]], np.float32))
    w = np.linspace(-1, 1, 50 * 6, dtype=np.float32).reshape(50, 6)
    x = np.linspace(0, 2, 4 * 6, dtype=np.float32).reshape(4, 6)
    labels = np.array([[3], [17], [0], [42]], np.int64)
    out = [t.random.categorical(logits, 7), t.random.categorical(logits, 3, seed=5, dtype=t.int32),
           *t.random.log_uniform_candidate_sampler(labels, 1, 10, True, 50, seed=2),
           t.nn.nce_loss(w, np.zeros(50, np.float32), labels, x, 8, 50),
           t.nn.sampled_softmax_loss(w, np.zeros(50, np.float32), labels, x, 8, 50, seed=4)]
    v1 = t.compat.v1
    g = v1.Graph()
    with g.as_default():
        v1.set_random_seed(seed)
        fetch = [v1.multinomial(logits, 5), v1.random.categorical(logits, 4, seed=1),
                 v1.nn.log_uniform_candidate_sampler(labels, 1, 6, False, 60)[0],
                 v1.nn.sampled_softmax_loss(w, np.zeros(50, np.float32), labels, x, 8, 50)]
        with v1.Session() as s:
            out += s.run(fetch) + s.run(fetch)
    return [np.asarray(o) for o in out]


@pytest.mark.parametrize("seed", [1, 77])
def test_discrete_draws_and_sampled_losses_are_tensorflows(oracle, seed):
    want, got = _discrete(oracle, seed), _discrete(tfcompat, seed)
    ids = [i for i, w in enumerate(want) if w.dtype.kind in "iu"]
    _same([want[i] for i in ids], [got[i] for i in ids])          # the draws: bit for bit
    for w, g in zip(want, got):                                     # the losses: float32 arithmetic
        np.testing.assert_allclose(g, w, rtol=2e-6, atol=1e-6)


def _two_sessions(t, graph_seed, op_seed):
    """Two Sessions over one graph: each starts every random kernel afresh (TF1's per-session kernels)."""
    v1 = t.compat.v1
    g = v1.Graph()
    with g.as_default():
        if graph_seed is not None:
            v1.set_random_seed(graph_seed)
        a = v1.random_uniform([3], seed=op_seed)
        b = a * 2.0
        w = v1.get_variable("w", [2, 2], initializer=v1.truncated_normal_initializer(seed=op_seed))
        d = v1.nn.dropout(v1.ones([6]), rate=0.5, seed=op_seed)
        out = []
        for _ in range(2):
            with v1.Session() as s:
                s.run(v1.global_variables_initializer())
                out += [s.run(a), s.run(a), s.run(b), s.run(w), a.eval(session=s), s.make_callable(d)()]
    return [np.asarray(o) for o in out]


@pytest.mark.parametrize("graph_seed,op_seed", [(None, 3), (5, None), (5, 3)])
def test_a_new_session_restarts_the_random_streams_as_tensorflow(oracle, graph_seed, op_seed):
    v1 = oracle.compat.v1
    with v1.Graph().as_default():  # NOTE: the oracle's graph mode for this block
        want = _two_sessions(oracle, graph_seed, op_seed)
    got = _two_sessions(tfcompat, graph_seed, op_seed)
    _same(want, got)
    assert np.array_equal(got[0], got[6]) and not np.array_equal(got[0], got[1])


def test_a_new_session_restarts_the_random_streams_recorded():
    """Recorded from TensorFlow 2.21: random_uniform([2], seed=3) twice per session, in two sessions."""
    v1 = tfcompat.compat.v1
    with v1.Graph().as_default():
        a = v1.random_uniform([2], seed=3)
        runs = []
        for _ in range(2):
            with v1.Session() as s:
                runs.append([s.run(a).tolist(), s.run(a).tolist()])
    assert runs[0] == runs[1]
    assert np.float32(runs[0][0]).view(np.uint32).tolist() == np.float32([0.3869294, 0.36002624]).view(np.uint32).tolist()
    assert np.allclose(runs[0][1], [0.19575107, 0.07571161])


def _function_kernels(t):
    """Each traced function (and each trace, and a function called inside another) draws its own streams."""
    t.random.set_seed(1)

    @t.function
    def f():
        return t.random.normal([2], seed=5)

    @t.function
    def g():
        return t.random.normal([2], seed=5)

    @t.function
    def h(x):
        return t.random.normal([2], seed=5) + x

    @t.function
    def k():
        return t.random.uniform([2], seed=3), f()
    out = [f(), g(), f(), t.random.normal([2], seed=5), t.random.normal([2], seed=5),
           h(t.constant(0.0)), h(t.constant(0.0)), h(t.constant([0.0, 0.0]))]
    t.random.set_seed(1)  # restarts the functions' kernels too
    out += [f(), t.random.normal([2], seed=5), *k(), *k()]
    return [np.asarray(o) for o in out]


def test_function_kernels_draw_their_own_streams_as_tensorflow(oracle):
    _same(_function_kernels(oracle), _function_kernels(tfcompat))


def test_function_kernels_recorded():
    """Recorded from TensorFlow 2.21: f and g (same op seeds) start alike; f's second call continues."""
    got = _function_kernels(tfcompat)
    first, second = [0.3369457423686981, 1.7747600078582764], [1.4499722719192505, 0.6111620664596558]
    assert [v.tolist() for v in got[:5]] == [first, first, second, first, second]
    assert [v.tolist() for v in got[8:10]] == [first, first]
