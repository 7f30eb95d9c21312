"""Keras models: fit/evaluate/predict, functional DAGs, weights files; differential against TensorFlow."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf



def _line_data():
    """A seeded regression problem (the shape of bench workload W7): y = 2x + 1 + noise, from w=0.5, b=0."""
    rng = np.random.RandomState(3)
    x = rng.uniform(-1.0, 1.0, size=(1024, 1)).astype(np.float32)
    y = (2.0 * x + 1.0 + rng.normal(scale=0.1, size=(1024, 1))).astype(np.float32)
    return x, y, np.array([[0.5]], np.float32), np.array([0.0], np.float32)


def _w7(t, epochs=3):
    x, y, w0, b0 = _line_data()
    model = t.keras.Sequential([t.keras.Input(shape=(1,)), t.keras.layers.Dense(1)])
    model.set_weights([w0, b0])
    model.compile(optimizer=t.keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    hist = model.fit(x, y, epochs=epochs, batch_size=32, shuffle=False, verbose=0)
    return hist.history["loss"], model.get_weights()


def test_w7_keras_fit_matches_tensorflow(oracle):
    ours, theirs = _w7(tf), _w7(oracle)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _functional(t):
    rng = np.random.RandomState(4)
    xa, xb = rng.rand(16, 3).astype(np.float32), rng.rand(16, 2).astype(np.float32)
    y = rng.rand(16, 1).astype(np.float32)
    a, b = t.keras.Input((3,)), t.keras.Input((2,))
    h = t.keras.layers.Dense(4, activation="relu", kernel_initializer=t.keras.initializers.Constant(0.1))(
        t.keras.layers.Concatenate()([a, b]))
    out = t.keras.layers.Dense(1, kernel_initializer="ones")(t.keras.layers.Add()([h, h]))
    model = t.keras.Model([a, b], out)
    model.compile(optimizer=t.keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    hist = model.fit([xa, xb], y, batch_size=5, epochs=2, shuffle=False, verbose=0,
                     validation_data=([xa, xb], y))
    return hist.history, model.evaluate([xa, xb], y, verbose=0), model.predict([xa, xb], verbose=0), \
        [type(l).__name__ for l in model.layers]


def test_functional_multi_input_matches_tensorflow(oracle):
    ours, theirs = _functional(tf), _functional(oracle)
    assert sorted(ours[0]) == sorted(theirs[0]) == ["loss", "mae", "val_loss", "val_mae"]
    for k in ours[0]:
        np.testing.assert_allclose(ours[0][k], theirs[0][k], rtol=1e-4)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-4)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-4)
    assert ours[3] == theirs[3]


LOSSES = [
    ("mse", lambda k: k.losses.MeanSquaredError(), (4, 3), "float"),
    ("bce", lambda k: k.losses.BinaryCrossentropy(), (4, 1), "prob"),
    ("bce_logits", lambda k: k.losses.BinaryCrossentropy(from_logits=True), (4, 1), "float"),
    ("cce", lambda k: k.losses.CategoricalCrossentropy(), (4, 3), "prob"),
    ("cce_logits", lambda k: k.losses.CategoricalCrossentropy(from_logits=True), (4, 3), "float"),
    ("scce", lambda k: k.losses.SparseCategoricalCrossentropy(), (4, 3), "sparse"),
    ("scce_logits", lambda k: k.losses.SparseCategoricalCrossentropy(from_logits=True), (4, 3), "sparse"),
]


@pytest.mark.parametrize("name,make,shape,kind", LOSSES, ids=[c[0] for c in LOSSES])
def test_losses_match_tensorflow(oracle, name, make, shape, kind):
    rng = np.random.RandomState(5)
    pred = rng.randn(*shape).astype(np.float32)
    if kind == "prob":
        pred = np.abs(pred) / np.abs(pred).sum(axis=-1, keepdims=True) if shape[-1] > 1 else 1 / (1 + np.exp(-pred))
    true = rng.randint(0, shape[-1], size=shape[:1]) if kind == "sparse" else \
        (rng.rand(*shape) > 0.5).astype(np.float32)
    sw = rng.rand(shape[0]).astype(np.float32)
    for args in ((true, pred), (true, pred, sw)):
        np.testing.assert_allclose(float(make(tf.keras)(*args)), float(make(oracle.keras)(*args)), rtol=1e-5)


def test_metrics_match_tensorflow(oracle):
    y_true, y_prob = np.array([[1], [2], [0]]), np.array([[.1, .9, 0], [.2, .3, .5], [.6, .3, .1]], np.float32)
    cases = [("SparseCategoricalAccuracy", (y_true, y_prob)),
             ("CategoricalAccuracy", (np.eye(3)[[1, 0, 0]], y_prob)),
             ("BinaryAccuracy", (np.array([[1.], [0.], [1.]]), np.array([[.7], [.6], [.2]]))),
             ("Accuracy", (np.array([1, 2, 3]), np.array([1, 2, 4]))),
             ("MeanSquaredError", (y_prob, y_prob * 0.5)),
             ("RootMeanSquaredError", (y_prob, y_prob * 0.5)),
             ("RootMeanSquaredError", (np.array([1., 2., 3.], np.float32), np.array([1.5, 2., 2.], np.float32)))]
    for name, args in cases:
        ours, theirs = getattr(tf.keras.metrics, name)(), getattr(oracle.keras.metrics, name)()
        ours.update_state(*args), theirs.update_state(*args)
        ours.update_state(*args, sample_weight=np.array([1., 0., 2.])[: len(args[0])])
        theirs.update_state(*args, sample_weight=np.array([1., 0., 2.])[: len(args[0])])
        assert ours.name == theirs.name
        np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-6)
        ours.reset_state()
        assert float(ours.result()) == 0.0


def test_train_on_batch_evaluate_predict_and_weights_file(tmp_path):
    rng = np.random.RandomState(6)
    x, y = rng.rand(10, 4).astype(np.float32), rng.randint(0, 3, 10)
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation="tanh"),
                                 tf.keras.layers.Dropout(0.2), tf.keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    loss, acc = model.train_on_batch(x, y)
    assert model.metrics_names == ["loss", "accuracy"] and 0 <= acc <= 1 and loss > 0
    assert model.predict(x, batch_size=3, verbose=0).shape == (10, 3)
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    clone = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation="tanh"),
                                 tf.keras.layers.Dropout(0.2), tf.keras.layers.Dense(3, activation="softmax")])
    clone.load_weights(path)
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    with np.load(path, allow_pickle=False) as archive:
        assert len(archive.files) == 4
    with pytest.raises(ValueError, match="weights"):
        tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)]).load_weights(path)


def test_early_stopping_and_history():
    x = np.linspace(0, 1, 8, dtype=np.float32)[:, None]
    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    model.layers[0].set_weights([np.full((1, 1), 0.5, np.float32), np.zeros(1, np.float32)])
    model.compile(tf.keras.optimizers.SGD(0.0), "mse")  # no progress: stops after `patience` epochs
    # NOTE: shuffle=False: a shuffled batch sums its losses in another order (last-bit changes).
    hist = model.fit(x, x, epochs=20, verbose=0, shuffle=False,
                     callbacks=[tf.keras.callbacks.EarlyStopping("loss", patience=2)])
    assert len(hist.history["loss"]) == 3 and hist.epoch == [0, 1, 2] and model.history is hist


def test_layers_build_on_first_call_and_track_weights():
    layer = tf.keras.layers.Dense(3, kernel_regularizer=tf.keras.regularizers.l2(0.1))
    assert not layer.built and layer.weights == []
    out = layer(np.ones((2, 4)))  # float64 input cast to float32
    assert layer.built and out.dtype == tf.float32 and out.shape == (2, 3)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 0.1 * np.sum(layer.kernel.numpy() ** 2), rtol=1e-5)
    emb = tf.keras.layers.Embedding(10, 4)
    assert emb(np.array([[1, 2], [3, 4]])).shape == (2, 2, 4)
    assert tf.keras.layers.Lambda(lambda v: v * 2)(tf.constant([1.0])).numpy()[0] == 2.0
    assert tf.keras.layers.Reshape((2, 2))(np.ones((3, 4))).shape == (3, 2, 2)
    assert tf.keras.layers.Activation("softmax")(np.ones((1, 2))).numpy().tolist() == [[0.5, 0.5]]


LAYERS = [
    ("conv2d", lambda k: k.layers.Conv2D(3, 3, strides=2, padding="same", activation="relu"), (2, 7, 7, 2)),
    ("conv1d", lambda k: k.layers.Conv1D(3, 2, padding="valid"), (2, 6, 2)),
    ("conv2d_transpose", lambda k: k.layers.Conv2DTranspose(2, 3, strides=2), (1, 4, 4, 3)),
    ("maxpool2d", lambda k: k.layers.MaxPooling2D(), (2, 6, 6, 2)),
    ("maxpool1d", lambda k: k.layers.MaxPooling1D(), (2, 6, 2)),
    ("avgpool2d", lambda k: k.layers.AveragePooling2D(2), (2, 6, 6, 2)),
    ("gap2d", lambda k: k.layers.GlobalAveragePooling2D(), (2, 5, 5, 3)),
    ("flatten", lambda k: k.layers.Flatten(), (2, 3, 4)),
    ("batchnorm", lambda k: k.layers.BatchNormalization(), (4, 3)),
    ("simple_rnn", lambda k: k.layers.SimpleRNN(4, return_sequences=True), (2, 5, 3)),
    ("lstm", lambda k: k.layers.LSTM(4, return_state=True), (2, 5, 3)),
    ("gru", lambda k: k.layers.GRU(4, return_sequences=True, return_state=True), (2, 5, 3)),
]


@pytest.mark.parametrize("name,make,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_forward_matches_tensorflow(oracle, name, make, shape):
    x = np.random.RandomState(7).randn(*shape).astype(np.float32)
    theirs = make(oracle.keras)
    theirs(x, training=False)  # build (no moving-average update)
    initial = theirs.get_weights()
    expected = theirs(x, training=True)
    ours = make(tf.keras)
    ours(x, training=False)
    ours.set_weights(initial)
    got = ours(x, training=True)
    got, expected = (got, expected) if isinstance(got, list) else ([got], [expected])
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):  # BatchNormalization's moving statistics
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_keras_layers_in_a_v1_graph_name_variables_as_tf1():
    """tf.keras in a TF1 graph (TF 1.15): variables 'dense/kernel:0', initialized and trained through a Session."""
    import tfcompat.compat.v1 as v1
    with v1.Graph().as_default():
        x = v1.placeholder(v1.float32, [None, 3])
        layer = v1.keras.layers.Dense(2, kernel_initializer=v1.ones_initializer())
        out = layer(x)
        assert [v.name for v in v1.global_variables()] == ["dense/kernel:0", "dense/bias:0"]
        assert [w.name for w in layer.weights] == ["dense/kernel:0", "dense/bias:0"]
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            np.testing.assert_allclose(sess.run(out, {x: [[1.0, 2.0, 3.0]]}), [[6.0, 6.0]])
    eager = tf.keras.layers.Dense(1)
    eager(np.ones((1, 2), np.float32))
    assert eager.kernel.name == "kernel" and eager.kernel.path.endswith("/kernel")
