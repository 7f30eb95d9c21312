"""`tf.train.ClusterSpec` (the description of a cluster's jobs and task addresses) and `tf.distribute.Server`
(TF1: `tf.train.Server`): tfcompat runs programs in one process, so a Server is in-process only and
`join()`, which serves other processes, raises NotImplementedError.

    cluster = tf.train.ClusterSpec({"ps": ["ps0:2222"], "worker": ["w0:2222", "w1:2222"]})
    cluster.num_tasks("worker") == 2;  cluster.task_address("ps", 0) == "ps0:2222"
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._export import export


@dataclass
class JobDef:
    """One job of a ClusterDef: its name and {task index: address}."""

    name: str
    tasks: dict = field(default_factory=dict)


@dataclass
class ClusterDef:
    """The jobs of a cluster, as the fields of TensorFlow's `ClusterDef` protocol buffer; str() is its text form."""

    job: list = field(default_factory=list)

    def __str__(self) -> str:
        lines = []
        for j in self.job:
            lines += ["job {", f'  name: "{j.name}"']
            for i, address in sorted(j.tasks.items()):
                lines += ["  tasks {", f"    key: {i}", f'    value: "{address}"', "  }"]
            lines.append("}")
        return "\n".join(lines) + "\n"


def _text(value: Any, what: str) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if not isinstance(value, str):
        raise TypeError(f"{what} {value!r} must be bytes or unicode")
    return value


@export("train.ClusterSpec")
class ClusterSpec:
    """Jobs (names) and their tasks (index -> "host:port"), from a dict of lists or of {index: address}."""

    def __init__(self, cluster: Any) -> None:
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        elif isinstance(cluster, ClusterDef):
            cluster = {j.name: dict(j.tasks) for j in cluster.job}
        if not isinstance(cluster, dict):
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to lists of network "
                            "addresses, or a `ClusterDef` protocol buffer")
        self._cluster_spec: dict = {}
        for job_name, tasks in cluster.items():
            if isinstance(tasks, (list, tuple)):
                self._cluster_spec[job_name] = dict(enumerate(tasks))
            elif isinstance(tasks, dict):
                self._cluster_spec[job_name] = {int(i): task for i, task in tasks.items()}
            else:
                raise TypeError(f"The tasks for job {job_name!r} must be a list or a dictionary from integers to "
                                "strings.")
        self._cluster_def = ClusterDef([JobDef(_text(name, "Job name"),
                                               {i: _text(a, "Task address") for i, a in sorted(tasks.items())})
                                        for name, tasks in sorted(self._cluster_spec.items(), key=lambda kv: str(kv[0]))])

    def __bool__(self) -> bool:
        return bool(self._cluster_spec)

    def __eq__(self, other: Any) -> bool:
        return self._cluster_spec == (other._cluster_spec if isinstance(other, ClusterSpec) else other)

    def __ne__(self, other: Any) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]  # NOTE: compares equal to dicts, as TensorFlow's does

    def __repr__(self) -> str:
        d = self.as_dict()
        return "ClusterSpec({" + ", ".join(f"{k!r}: {d[k]!r}" for k in sorted(d)) + "})"

    def as_dict(self) -> dict:
        """{job: [addresses]} where task indices are 0..n-1, else {job: {index: address}}."""
        out: dict = {}
        for job in self.jobs:
            indices = self.task_indices(job)
            if not indices:
                out[job] = {}
            elif max(indices) + 1 == len(indices):
                out[job] = self.job_tasks(job)
            else:
                out[job] = {i: self.task_address(job, i) for i in indices}
        return out

    def as_cluster_def(self) -> ClusterDef:
        return self._cluster_def

    @property
    def jobs(self) -> list:
        return list(self._cluster_spec)

    def _job(self, job_name: Any) -> dict:
        try:
            return self._cluster_spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name: Any) -> int:
        return len(self._job(job_name))

    def task_indices(self, job_name: Any) -> list:
        return sorted(self._job(job_name))

    def task_address(self, job_name: Any, task_index: int) -> str:
        job = self._job(job_name)
        try:
            return job[task_index]
        except KeyError:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}") from None

    def job_tasks(self, job_name: Any) -> list:
        """The addresses by task index, None where an index has no task."""
        job = self._job(job_name)
        out = [None] * (max(job) + 1)
        for i, task in job.items():
            out[i] = task
        return out


@dataclass(frozen=True)
class ServerDef:
    """What a Server was built from: the cluster and this task's place in it (TF's `ServerDef` fields)."""

    cluster: ClusterDef
    job_name: str
    task_index: int
    protocol: str = "grpc"


_IN_PROCESS = ("tfcompat runs a program in one process: tf.distribute.Server / tf.train.Server opens no gRPC port, so "
               "other processes cannot connect to it; sessions given its target run the graph in this process")
_warned: list = []


@export("distribute.Server", v1=("distribute.Server", "train.Server"))
class Server:
    """An in-process stand-in for TensorFlow's gRPC server: `Session(server.target)` runs here, `join()` (serving
    other processes: distributed execution) raises NotImplementedError.

        server = tf.train.Server(tf.train.ClusterSpec({"local": ["localhost:2222"]}))
        server.target == "grpc://localhost:2222"
    """

    def __init__(self, server_or_cluster_def: Any, job_name: Any = None, task_index: Any = None, protocol: Any = None,
                 config: Any = None, start: bool = True) -> None:
        try:
            cluster = ClusterSpec(server_or_cluster_def)
        except TypeError:
            raise TypeError("Could not convert `server_or_cluster_def` to a `tf.train.ServerDef` or "
                            "`tf.train.ClusterSpec`.") from None
        if job_name is None:
            if len(cluster.jobs) != 1:
                raise ValueError("Must specify an explicit `job_name`.")
            job_name = cluster.jobs[0]
        if task_index is None:
            indices = cluster.task_indices(job_name)
            if len(indices) != 1:
                raise ValueError("Must specify an explicit `task_index`.")
            task_index = indices[0]
        self._address = cluster.task_address(job_name, task_index)
        self._server_def = ServerDef(cluster.as_cluster_def(), job_name, int(task_index), protocol or "grpc")
        if not _warned:
            _warned.append(True)
            import warnings  # noqa: PLC0415
            warnings.warn(_IN_PROCESS, RuntimeWarning, stacklevel=2)

    @property
    def server_def(self) -> ServerDef:
        return self._server_def

    @property
    def target(self) -> str:
        return f"{self._server_def.protocol}://{self._address}"

    def start(self) -> None:
        """Nothing to start: the graphs of this program run in this process."""

    def join(self) -> None:
        raise NotImplementedError("Server.join() waits for other processes to run graphs on this task: distributed "
                                  "execution, which tfcompat does not have (it runs a program in one process). Run "
                                  "the work in this process with tf.compat.v1.Session() or a tf.distribute strategy "
                                  "on this machine's devices.")

    @staticmethod
    def create_local_server(config: Any = None, start: bool = True) -> "Server":
        """A one-task cluster on localhost, for `Session(server.target)` in this process."""
        return Server({"localhost": ["localhost:0"]}, protocol="grpc", config=config, start=start)
