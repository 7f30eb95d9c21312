"""tf.train.Checkpoint/CheckpointManager: keys, manager pruning, and round trips with real TensorFlow."""
from __future__ import annotations

import numpy as np

import tfcompat as tf


def _objects(mod, scale):
    net = mod.Module()
    net.layer = mod.Module()
    net.layer.kernel = mod.Variable(np.full((2, 3), scale, np.float32))
    net.blocks = [mod.Variable(scale * 10.0)]
    w = mod.Variable(np.float32(scale))
    return w, net, mod.train.Checkpoint(W=w, model=net)


def _values(w, net):
    return [float(w.numpy()), net.layer.kernel.numpy().tolist(), float(net.blocks[0].numpy())]


def test_keys_and_manager(tmp_path):
    w, net, ck = _objects(tf, 3.0)
    mgr = tf.train.CheckpointManager(ck, str(tmp_path), max_to_keep=2)
    paths = [mgr.save() for _ in range(3)]
    assert paths[-1].endswith("ckpt-3") and mgr.checkpoints == paths[1:]
    assert tf.train.latest_checkpoint(str(tmp_path)) == paths[-1] == mgr.latest_checkpoint
    assert not (tmp_path / "ckpt-1.index").exists()
    names = dict(tf.train.list_variables(paths[-1]))
    assert set(names) == {"W/.ATTRIBUTES/VARIABLE_VALUE", "model/layer/kernel/.ATTRIBUTES/VARIABLE_VALUE",
                          "model/blocks/0/.ATTRIBUTES/VARIABLE_VALUE", "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
                          "_CHECKPOINTABLE_OBJECT_GRAPH"}
    assert mgr.save(checkpoint_number=10).endswith("ckpt-10")
    w2, net2, ck2 = _objects(tf, 0.0)
    ck2.restore(mgr.latest_checkpoint).assert_consumed()
    assert _values(w2, net2) == _values(w, net) and int(ck2.save_counter.numpy()) == 4


def test_partial_restore_reports_missing(tmp_path):
    w = tf.Variable(1.0)
    path = tf.train.Checkpoint(w=w).write(str(tmp_path / "c"))
    status = tf.train.Checkpoint(w=tf.Variable(0.0), other=tf.Variable(2.0)).read(path)
    status.expect_partial()
    try:
        status.assert_consumed()
    except AssertionError as e:
        assert "other" in str(e)
    else:
        raise AssertionError("assert_consumed should fail for a missing variable")


def test_tensorflow_reads_ours_and_we_read_theirs(oracle, tmp_path):
    w, net, ck = _objects(tf, 3.0)
    ours = ck.save(str(tmp_path / "ours" / "ckpt"))
    tw, tnet, tck = _objects(oracle, 0.0)
    tck.restore(ours).assert_consumed()
    assert _values(tw, tnet) == _values(w, net)
    tw.assign(7.0)
    theirs = tck.save(str(tmp_path / "theirs" / "ckpt"))
    w2, net2, ck2 = _objects(tf, 0.0)
    ck2.restore(oracle.train.latest_checkpoint(str(tmp_path / "theirs"))).assert_consumed()
    assert _values(w2, net2) == _values(tw, tnet) and theirs.endswith("ckpt-2")
