"""The seeds' Keras programs run on tfcompat (and, where TensorFlow is installed, give its numbers)."""
from __future__ import annotations

import numpy as np

import tfcompat as tf

X = np.linspace(-1, 1, 20).astype(np.float32)
Y = 3 * X + 2


def seed000_keras(t, epochs=5):
    """Seed 000: Sequential Dense(1, input_shape=(1,)), constant initializers, SGD, MSE, fit verbose=0."""
    model = t.keras.Sequential([
        t.keras.layers.Dense(units=1, input_shape=(1,), use_bias=True,
                             kernel_initializer=t.initializers.constant(5.0),
                             bias_initializer=t.initializers.constant(0.0))])
    model.compile(optimizer=t.keras.optimizers.SGD(learning_rate=0.1), loss=t.keras.losses.MeanSquaredError(),
                  metrics=[t.keras.metrics.MeanSquaredError()])
    h = model.fit(X, Y, verbose=0, batch_size=len(X), epochs=epochs)
    return h.history, model.get_weights()


def test_seed000_keras_linear_regression_learns():
    history, (w, b) = seed000_keras(tf, epochs=100)
    assert set(history) == {"loss", "mean_squared_error"} and len(history["loss"]) == 100
    assert history["loss"][-1] < 1e-3
    assert abs(float(w.ravel()[0]) - 3) < 0.05 and abs(float(b[0]) - 2) < 0.05


def test_seed000_keras_matches_tensorflow(oracle):
    ours, theirs = seed000_keras(tf), seed000_keras(oracle)
    assert ours[0].keys() == theirs[0].keys()
    for k in ours[0]:
        np.testing.assert_allclose(ours[0][k], theirs[0][k], rtol=1e-5)
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_seed000_tf2_custom_model():
    class Model(object):
        def __init__(self):
            self.W = tf.Variable(5.0)
            self.b = tf.Variable(0.0)

        def __call__(self, x):
            return self.W * x + self.b

    model = Model()

    def loss(predicted_y, target_y):
        return tf.reduce_mean(tf.square(predicted_y - target_y))

    for _ in range(100):
        with tf.GradientTape() as t:
            current_loss = loss(model(X), Y)
        dW, db = t.gradient(current_loss, [model.W, model.b])
        model.W.assign_sub(0.1 * dW)
        model.b.assign_sub(0.1 * db)
    assert abs(model.W.numpy() - 3) < 0.05 and abs(model.b.numpy() - 2) < 0.01


def test_seed_sequential_stacks_and_subclassed_model():
    layers = tf.keras.layers
    model = tf.keras.Sequential()
    model.add(layers.Dense(32, activation="relu", input_shape=(784,)))
    model.add(layers.Dense(32, activation="relu"))
    model.add(layers.Dense(32, activation="softmax"))
    assert model(np.ones((2, 784), np.float32)).shape == (2, 32)

    hidden = [tf.keras.layers.Dense(8, activation=tf.nn.sigmoid) for _ in range(4)]
    perceptron = tf.keras.Sequential(hidden)
    perceptron(np.ones((1, 3), np.float32))
    assert hidden[3].trainable_variables == [hidden[3].kernel, hidden[3].bias]
    assert len(perceptron.trainable_variables) == 8

    class MyModel(tf.keras.Model):
        def __init__(self, num_classes=10):
            super(MyModel, self).__init__(name="my_model")
            self.dense_1 = layers.Dense(32, activation="relu")
            self.dense_2 = layers.Dense(num_classes, activation="softmax")

        def call(self, inputs):
            x = self.dense_1(inputs)
            return self.dense_2(x)

    m = MyModel()
    out = m(np.random.RandomState(0).rand(4, 5))
    assert m.name == "my_model" and out.shape == (4, 10)
    np.testing.assert_allclose(np.sum(out.numpy(), axis=1), 1.0, rtol=1e-5)
    assert [v.name for v in m.trainable_variables] == ["kernel", "bias", "kernel", "bias"]


def test_seed_train_step_with_tape_and_metrics_mean():
    rng = np.random.RandomState(1)
    x = rng.rand(32, 4).astype(np.float32)
    labels = (x.sum(axis=1) > 2).astype(np.int32)
    model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(2)])
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.Adam(0.05)

    def train_step(features, labels):
        with tf.GradientTape() as tape:
            logits = model(features, training=True)
            loss = loss_fn(labels, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    steps = [train_step]
    function = getattr(tf, "function", None)
    if function is not None:
        steps.append(function(train_step))
    avg_loss = tf.keras.metrics.Mean(name="loss", dtype=tf.float32)
    for step in steps:
        first = None
        for _ in range(30):
            loss = step(x, labels)
            first = float(loss) if first is None else first
            avg_loss.update_state(loss)
        assert float(loss) < first
        assert float(avg_loss.result()) > 0
        avg_loss.reset_states()
        assert float(avg_loss.result()) == 0.0
    assert int(optimizer.iterations.numpy()) == 30 * len(steps)
