"""tf.train.Checkpoint of a Keras model and optimizer: TensorFlow's keys (slots under optimizer/_variables/N in
Keras's creation order), restoration through the saved object graph, deferred restoration of slots and of
layers built after the restore, and resumed training equal to uninterrupted training, here and across
TensorFlow."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf

X = np.random.default_rng(0).random((4, 3)).astype(np.float32)
OPTIMIZERS = {"adam": lambda t: t.keras.optimizers.Adam(0.01), "sgd": lambda t: t.keras.optimizers.SGD(0.01, 0.9),
              "rmsprop": lambda t: t.keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
              "adadelta": lambda t: t.keras.optimizers.Adadelta(1.0), "adagrad": lambda t: t.keras.optimizers.Adagrad(0.1)}
ADAM_KEYS = ["_CHECKPOINTABLE_OBJECT_GRAPH", "optimizer/_iterations", "optimizer/_learning_rate"] + \
    [f"optimizer/_trainable_variables/{i}" for i in range(4)] + [f"optimizer/_variables/{i}" for i in range(2, 10)] + \
    ["save_counter"]


def _model(t, with_input: bool = True):
    layers = [t.keras.layers.Dense(2, kernel_initializer="ones"), t.keras.layers.Dense(1, kernel_initializer="ones")]
    return t.keras.Sequential(([t.keras.Input((3,))] if with_input else []) + layers)


def _step(t, model, opt) -> None:
    with t.GradientTape() as tape:
        loss = t.reduce_sum(model(X) ** 2)
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))


def _trained(t, name, path):
    model, opt = _model(t), OPTIMIZERS[name](t)
    _step(t, model, opt)
    _step(t, model, opt)
    saved = t.train.Checkpoint(model=model, optimizer=opt).save(path)
    _step(t, model, opt)
    return saved, [v.numpy() for v in model.trainable_variables]


def _keys(path) -> list:
    return [k.replace("/.ATTRIBUTES/VARIABLE_VALUE", "") for k, _ in tf.train.list_variables(path)]


def test_keys_are_tensorflows(tmp_path) -> None:
    saved, _ = _trained(tf, "adam", str(tmp_path / "ck"))
    assert _keys(saved) == ADAM_KEYS
    shapes = dict(tf.train.list_variables(saved))
    assert [shapes[f"optimizer/_variables/{i}/.ATTRIBUTES/VARIABLE_VALUE"] for i in (2, 3, 4, 5)] == \
        [[3, 2], [3, 2], [2], [2]]        # Keras interleaves: momentum and velocity of each variable in turn


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_resumed_training_equals_uninterrupted(tmp_path, name) -> None:
    saved, continued = _trained(tf, name, str(tmp_path / "ck"))
    model, opt = _model(tf), OPTIMIZERS[name](tf)
    status = tf.train.Checkpoint(model=model, optimizer=opt).restore(saved)
    status.assert_existing_objects_matched()
    _step(tf, model, opt)  # the slots are created here and take their checkpointed values
    for ours, want in zip(model.trainable_variables, continued):
        np.testing.assert_allclose(ours.numpy(), want, rtol=1e-6)
    assert int(opt.iterations.numpy()) == 3


def test_layers_built_after_restore_get_their_values(tmp_path) -> None:
    saved, continued = _trained(tf, "adam", str(tmp_path / "ck"))
    model, opt = _model(tf, with_input=False), OPTIMIZERS["adam"](tf)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=opt)
    checkpoint.restore(saved)
    _step(tf, model, opt)                    # builds the layers (deferred values) and then the optimizer
    for ours, want in zip(model.trainable_variables, continued):
        np.testing.assert_allclose(ours.numpy(), want, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_checkpoints_interchange_with_tensorflow(tmp_path, oracle, name) -> None:
    ours, _ = _trained(tf, name, str(tmp_path / "ours" / "ck"))
    theirs, continued = _trained(oracle, name, str(tmp_path / "theirs" / "ck"))
    assert _keys(ours) == _keys(theirs)
    # TensorFlow's checkpoint into tfcompat: the two Keras implementations track a model's layers under different
    # names, so the model's weights are matched through the optimizer's variable list (build it first)
    model, opt = _model(tf), OPTIMIZERS[name](tf)
    tf.train.Checkpoint(model=model, optimizer=opt).restore(theirs)
    opt.build(model.trainable_variables)
    _step(tf, model, opt)
    for got, want in zip(model.trainable_variables, continued):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-7)
    # tfcompat's checkpoint into TensorFlow: the optimizer's iterations and slots (TensorFlow's reader matches the
    # model's weights through its own layer names only)
    model, opt = _model(oracle), OPTIMIZERS[name](oracle)
    oracle.train.Checkpoint(model=model, optimizer=opt).restore(ours).expect_partial()
    opt.build(model.trainable_variables)
    reader = oracle.train.load_checkpoint(ours)
    assert int(opt.iterations.numpy()) == 2
    for i, v in enumerate(opt.variables[2:], start=2):
        np.testing.assert_array_equal(v.numpy(), reader.get_tensor(f"optimizer/_variables/{i}/.ATTRIBUTES/VARIABLE_VALUE"))
        assert np.any(v.numpy() != 0) or name == "adadelta"
