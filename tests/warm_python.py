"""Run Python programs as fresh processes without paying TensorFlow's import each time.

    run([sys.executable, "tests/run_as_tf.py", "v1", "main.py"], cwd=..., env=..., timeout=300)

takes subprocess.run's arguments for `python SCRIPT ARGS`, `python -c CODE ARGS` and `python -m MODULE
ARGS` and returns a CompletedProcess (captured output) as subprocess.run does. The program runs in a
process forked from a server that has already imported `preload` (TensorFlow, by default) under the
same environment (tests/warm_server.py): its own process, folder, environment, stdin, sys.argv and
sys.path, exit status and atexit handlers, as a fresh interpreter gives it, with the import (seconds
for TensorFlow) paid once per environment instead of once per run. Any other command line, or a
server that cannot start (no TensorFlow: the callers skip as before), runs with subprocess.run.
"""
from __future__ import annotations

import atexit
import os
import pickle
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

SERVER = Path(__file__).with_name("warm_server.py")
_EXEC_SERVER = f"__file__ = {str(SERVER)!r}; exec(compile(open(__file__).read(), __file__, 'exec'))"
MAX_SERVERS = 6   # NOTE: a TensorFlow server holds ~0.3 GB of its own; an environment seen again restarts one
_NOT_KEYED = {"PYTEST_CURRENT_TEST", "PWD", "OLDPWD"}   # change per test; nothing reads them at import
_lock = threading.Lock()
_servers: dict[tuple, _Server | None] = {}


class _Server:
    def __init__(self, preload: tuple[str, ...], env: dict[str, str]) -> None:
        self.folder = tempfile.mkdtemp(prefix="warm-python-")
        self.socket = os.path.join(self.folder, "s")
        self.log = open(os.path.join(self.folder, "log"), "w+b")  # noqa: SIM115  (closed in close())
        self.process = subprocess.Popen([sys.executable, "-c", _EXEC_SERVER, self.socket, *preload],
                                        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log)
        self.ready = self.process.stdout.readline() == b"ready\n"

    def call(self, request: dict, timeout: float | None) -> dict:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(self.socket)
            conn.settimeout(None if timeout is None else timeout + 60)
            data = pickle.dumps(request)
            conn.sendall(struct.pack("!Q", len(data)) + data)
            return pickle.loads(_exactly(conn, struct.unpack("!Q", _exactly(conn, 8))[0]))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _exactly(conn: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = conn.recv(min(n, 1 << 20))
        if not chunk:
            raise RuntimeError("the warm Python server closed the connection (see tests/warm_server.py)")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _server(preload: tuple[str, ...], env: dict[str, str]) -> _Server | None:
    key = (preload, frozenset((k, v) for k, v in env.items() if k not in _NOT_KEYED))
    with _lock:
        if key not in _servers:
            while len(_servers) >= MAX_SERVERS:
                old = _servers.pop(next(iter(_servers)))
                if old is not None:
                    old.close()
            server = _Server(preload, {k: v for k, v in env.items() if k not in _NOT_KEYED})
            if not server.ready:
                server.close()
                server = None
            _servers[key] = server
        return _servers[key]


@atexit.register
def close_all() -> None:
    with _lock:
        for server in _servers.values():
            if server is not None:
                server.close()
        _servers.clear()


def _decode(data: bytes, text: bool) -> str | bytes:
    return data.decode("utf-8", "replace").replace("\r\n", "\n") if text else data


def _preload_for(cmd: list[str]) -> tuple[str, ...]:
    module = cmd[2] if len(cmd) > 2 and cmd[1] == "-m" else ""
    engine = cmd[cmd.index("--engine") + 1] if "--engine" in cmd[:-1] else "tensorflow"
    tfcompat = module.startswith("tfcompat") or (module == "upgrader.verify.side" and engine != "tensorflow")
    return ("tfcompat",) if tfcompat else ("tensorflow",)


def run(cmd: list[str], *, cwd: str | os.PathLike | None = None, env: dict[str, str] | None = None,
        input: str | bytes | None = None, timeout: float | None = None, text: bool = True, check: bool = False,
        capture_output: bool = True, preload: tuple[str, ...] | None = None) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, capture_output=True, ...) for a Python command line, from a warm fork.

    preload: the modules the server imports; by default tfcompat for `-m tfcompat.cli` and for
    verify's tfcompat side (`-m upgrader.verify.side --engine tfcompat`), TensorFlow otherwise."""
    cmd = [str(c) for c in cmd]
    env = dict(os.environ if env is None else env)
    python = len(cmd) >= 2 and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
    flag = cmd[1] if python and cmd[1] in ("-c", "-m") else None
    server = _server(preload or _preload_for(cmd), env) if python and (flag is None or len(cmd) >= 3) else None
    if not capture_output:
        raise ValueError("warm_python.run captures output; call subprocess.run for a program that prints to the terminal")
    if server is None:
        return subprocess.run(cmd, cwd=cwd, env=env, input=input, timeout=timeout, text=text, capture_output=True,
                              check=check)
    target, args = (cmd[2], cmd[3:]) if flag else (cmd[1], cmd[2:])
    data = input.encode() if isinstance(input, str) else input
    answer = server.call({"kind": flag or "script", "target": target, "args": args, "env": env,
                          "cwd": os.path.abspath(cwd or os.getcwd()), "input": data, "timeout": timeout}, timeout)
    out, err = _decode(answer["stdout"], text), _decode(answer["stderr"], text)
    if answer["timed_out"]:
        raise subprocess.TimeoutExpired(cmd, timeout, output=out, stderr=err)
    if check and answer["returncode"]:
        raise subprocess.CalledProcessError(answer["returncode"], cmd, out, err)
    return subprocess.CompletedProcess(cmd, answer["returncode"], out, err)


class _VerifySubprocess:
    """Stands for the subprocess module in upgrader/verify/run.py: each side runs from a warm fork
    that has imported its engine (tfcompat, or TensorFlow for --engine tensorflow)."""

    TimeoutExpired = subprocess.TimeoutExpired
    DEVNULL = subprocess.DEVNULL

    @staticmethod
    def run(cmd: list[str], stdin: int | None = None, **kwargs) -> subprocess.CompletedProcess:
        return run(cmd, **kwargs)   # NOTE: stdin=DEVNULL: a warm run's stdin is empty unless given input


def warm_verify_sides(monkeypatch) -> None:
    """In one test (pytest's monkeypatch): tf-upgrade verify's sides start from warm forks."""
    from upgrader.verify import run as verify_run  # noqa: PLC0415

    monkeypatch.setattr(verify_run, "subprocess", _VerifySubprocess)
