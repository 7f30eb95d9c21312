"""Seed 001's tf.distribute.MirroredStrategy: one replica, scope, run, reduce, distributed datasets."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf


def test_scope_and_contexts():
    strategy = tf.distribute.MirroredStrategy()
    assert strategy.num_replicas_in_sync == 1 and not tf.distribute.has_strategy()
    with strategy.scope():
        assert tf.distribute.get_strategy() is strategy and tf.distribute.in_cross_replica_context()
        assert tf.distribute.get_replica_context() is None
        ctx = strategy.run(tf.distribute.get_replica_context)
        assert int(ctx.replica_id_in_sync_group) == 0 and ctx.num_replicas_in_sync == 1
        with pytest.raises(ValueError, match="Mixing different tf.distribute.Strategy"):
            with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
                pass
    assert tf.distribute.get_strategy() is not strategy and tf.distribute.get_replica_context() is not None


def test_run_reduce_and_distributed_dataset():
    strategy = tf.distribute.MirroredStrategy()
    ds = tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.float32)).batch(3)
    dist = strategy.experimental_distribute_dataset(ds)
    sums = [float(strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(lambda x: x * 2, args=(b,)), axis=0))
            for b in dist]
    assert sums == [6.0, 24.0]
    assert float(strategy.reduce("MEAN", tf.constant([1.0, 3.0]), axis=0)) == 2.0
    assert strategy.reduce("SUM", tf.constant(5.0), axis=None).numpy() == 5.0
    assert strategy.experimental_local_results(tf.constant(1.0))[0].numpy() == 1.0
    with pytest.raises(ValueError, match="reduce_op"):
        strategy.reduce("MAX", tf.constant(1.0), axis=None)


def test_fit_under_scope_matches_fit_without():
    x = np.random.default_rng(1).normal(size=(12, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)

    def fit():
        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.set_weights([np.zeros((3, 1), np.float32), np.zeros((1,), np.float32)])
        model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        return model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0).history["loss"]

    with tf.distribute.MirroredStrategy().scope():
        mirrored = fit()
    assert mirrored == pytest.approx(fit())


def test_more_than_one_device_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="one device"):
        tf.distribute.MirroredStrategy(devices=["/gpu:0", "/gpu:1"])
