"""tf.train.ClusterSpec as a data class (recorded expectations, and the same calls against TensorFlow), and
tf.train.Server / tf.distribute.Server in process, whose join() raises a NotImplementedError naming distributed
execution."""
from __future__ import annotations

import re
from contextlib import nullcontext

import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1

SPEC = {"ps": ["ps0:2222", "ps1:2222"], "worker": {1: "w1:2222", 3: "w3:2222"}}
BAD = [({"a": 3}, TypeError, "The tasks for job 'a' must be a list or a dictionary from integers to strings."),
       ([1], TypeError, "`cluster` must be a dictionary mapping one or more job names to lists of network addresses"),
       ({"a": [1]}, TypeError, "Task address 1 must be bytes or unicode"),
       ({1: ["x"]}, TypeError, "Job name 1 must be bytes or unicode")]


def _facts(t) -> list:
    c = t.train.ClusterSpec(SPEC)
    out = [repr(c), c.jobs, c.num_tasks("worker"), c.task_indices("worker"), c.task_address("ps", 1), c.as_dict(),
           c.job_tasks("worker"), bool(c), bool(t.train.ClusterSpec({})), c == t.train.ClusterSpec(c),
           c == {"ps": {0: "ps0:2222", 1: "ps1:2222"}, "worker": {1: "w1:2222", 3: "w3:2222"}},
           t.train.ClusterSpec({"a": ["x"]}) != t.train.ClusterSpec({"a": ["y"]}), str(c.as_cluster_def()),
           t.train.ClusterSpec(c.as_cluster_def()).as_dict()]
    for call in (lambda: c.num_tasks("x"), lambda: c.task_address("ps", 5), lambda: c.job_tasks("y")):
        with pytest.raises(ValueError) as e:
            call()
        out.append(str(e.value))
    return out


def test_cluster_spec_recorded() -> None:
    facts = _facts(tf)
    assert facts[:9] == ["ClusterSpec({'ps': ['ps0:2222', 'ps1:2222'], 'worker': {1: 'w1:2222', 3: 'w3:2222'}})",
                         ["ps", "worker"], 2, [1, 3], "ps1:2222", SPEC, [None, "w1:2222", None, "w3:2222"], True, False]
    assert facts[9:12] == [True, True, True]
    assert facts[12].startswith('job {\n  name: "ps"\n  tasks {\n    key: 0\n    value: "ps0:2222"\n  }\n')
    assert facts[13] == SPEC
    assert facts[14:] == ["No such job in cluster: 'x'", "No task with index 5 in job 'ps'",
                          "No such job in cluster: 'y'"]
    assert v1.train.ClusterSpec is tf.train.ClusterSpec


@pytest.mark.parametrize("cluster,error,message", BAD)
def test_bad_clusters_raise_tensorflows_errors(cluster, error, message) -> None:
    with pytest.raises(error, match=re.escape(message)):
        tf.train.ClusterSpec(cluster)


def test_cluster_spec_matches_tensorflow(oracle) -> None:
    assert _facts(tf) == _facts(oracle)
    for cluster, _, _ in BAD:
        with pytest.raises(TypeError) as ours:
            tf.train.ClusterSpec(cluster)
        with pytest.raises(TypeError) as theirs:
            oracle.train.ClusterSpec(cluster)
        assert str(ours.value) == str(theirs.value)


def test_server_is_in_process_and_join_names_distributed_execution() -> None:
    cluster = tf.train.ClusterSpec({"local": ["localhost:2222", "localhost:2223"]})
    with pytest.warns(RuntimeWarning, match="opens no gRPC port") if not tf_server_warned() else nullcontext():
        server = v1.train.Server(cluster, job_name="local", task_index=1)
    assert server.target == "grpc://localhost:2223" and server.server_def.job_name == "local"
    assert server.server_def.task_index == 1 and "localhost:2223" in str(server.server_def.cluster)
    assert tf.distribute.Server(tf.train.ClusterSpec({"w": ["h:1"]})).target == "grpc://h:1"
    with pytest.raises(NotImplementedError, match="distributed execution.*tf.compat.v1.Session"):
        server.join()
    local = v1.train.Server.create_local_server()
    with tf.Graph().as_default():
        with v1.Session(local.target) as sess:
            assert sess.run(tf.constant(2.0) * 3.0) == 6.0
    assert v1.train.Server is tf.distribute.Server and not hasattr(tf.train, "Server")


def tf_server_warned() -> bool:
    from tfcompat._impl import cluster_spec_api  # noqa: PLC0415
    return bool(cluster_spec_api._warned)


@pytest.mark.parametrize("kwargs,message", [({}, "Must specify an explicit `job_name`."),
                                            ({"job_name": "worker"}, "Must specify an explicit `task_index`."),
                                            ({"job_name": "nope"}, "No such job in cluster: 'nope'")])
def test_server_errors_match_tensorflow(kwargs, message, oracle) -> None:
    cluster = {"ps": ["ps0:2222"], "worker": ["w0:2222", "w1:2222"]}
    for t in (tf, oracle):
        with pytest.raises(ValueError, match=re.escape(message)):
            t.distribute.Server(cluster, **kwargs)
    with pytest.raises(TypeError, match="Could not convert `server_or_cluster_def`"):
        tf.distribute.Server(["x"])
