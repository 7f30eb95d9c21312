"""tf.keras.layers.Bidirectional against TensorFlow 2.21: merge modes, cells, sequences/last step, states.

Both sides get the same weights (a deterministic fill in `weights` order, forward layer first), so the
outputs must agree; what is compared is the wrapper (direction, reversal back, merge, state order).
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import tfcompat as tc

X = np.random.RandomState(0).normal(size=(2, 5, 3)).astype(np.float32)
CASES = list(itertools.product(("concat", "sum", "ave", "mul", None), ("LSTM", "GRU", "SimpleRNN"), (True, False),
                               (False, True)))


def _run(tf, mode: str | None, kind: str, sequences: bool, state: bool) -> list[np.ndarray]:
    bi = tf.keras.layers.Bidirectional(getattr(tf.keras.layers, kind)(4, return_sequences=sequences, return_state=state),
                                       merge_mode=mode)
    bi(X)
    bi.set_weights([np.linspace(-1, 1, int(np.prod(w.shape))).reshape(tuple(w.shape)).astype(np.float32) * (i + 1) / 3
                    for i, w in enumerate(bi.weights)])
    out = bi(X)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.mark.parametrize("mode, kind, sequences, state", CASES,
                         ids=[f"{m}-{k}-{'seq' if s else 'last'}{'-state' if st else ''}" for m, k, s, st in CASES])
def test_matches_tensorflow(oracle, mode: str | None, kind: str, sequences: bool, state: bool) -> None:
    want, got = _run(oracle, mode, kind, sequences, state), _run(tc, mode, kind, sequences, state)
    assert [w.shape for w in want] == [g.shape for g in got]
    for w, g in zip(want, got):
        np.testing.assert_allclose(g, w, atol=1e-5)


def test_backward_layer_must_run_the_other_way() -> None:
    forward = tc.keras.layers.LSTM(2, return_sequences=True)
    with pytest.raises(ValueError, match="different `go_backwards` value"):
        tc.keras.layers.Bidirectional(forward, backward_layer=tc.keras.layers.LSTM(2, return_sequences=True))
    with pytest.raises(ValueError, match="Invalid merge mode"):
        tc.keras.layers.Bidirectional(forward, merge_mode="max")


def test_separate_backward_layer_and_weights_order() -> None:
    bi = tc.keras.layers.Bidirectional(tc.keras.layers.SimpleRNN(2, return_sequences=True),
                                       backward_layer=tc.keras.layers.GRU(3, return_sequences=True, go_backwards=True))
    assert bi(X).shape == (2, 5, 5)
    assert [tuple(w.shape) for w in bi.weights] == [(3, 2), (2, 2), (2,), (3, 9), (3, 9), (2, 9)]
    assert len(bi.trainable_variables) == 6
