"""The server behind tests/warm_python.py, run as `python -c <exec of this file> SOCKET MODULE...`.

It imports MODULE... once, then serves each request (a Python command line, its folder, environment
and stdin) from a fresh fork: a runner process that forks the program itself in its own session,
waits for it (killing its process group at the timeout) and answers (exit status, stdout, stderr,
timed out). Executed as `-c` text, not imported, so the program sees no test modules in sys.modules.
"""
import os
import pickle
import signal
import socket
import struct
import sys
import tempfile
import time

SOCKET, PRELOAD = sys.argv[1], sys.argv[2:]
for _module in PRELOAD:
    __import__(_module)
BASE_PATH = sys.path[1:]   # sys.path[0] is the program's own entry: '' for -c, its folder for a script


def _send(conn, obj):
    data = pickle.dumps(obj)
    conn.sendall(struct.pack("!Q", len(data)) + data)


def _recv(conn):
    def exactly(n):
        chunks = []
        while n:
            chunk = conn.recv(min(n, 1 << 20))
            if not chunk:
                raise EOFError("client went away")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)
    return pickle.loads(exactly(struct.unpack("!Q", exactly(8))[0]))


def _exit_status(code):
    """What the interpreter exits with for SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _program(request):
    """In the forked program process: become `python ARGV...` and never return."""
    import atexit
    import importlib.machinery
    import random
    import runpy
    import threading
    import traceback
    import types
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    random.seed()   # NOTE: a fresh interpreter seeds its generators from the OS; forks would share one state
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    kind, target, args = request["kind"], request["target"], request["args"]
    status = 0
    try:
        if kind == "-c":
            sys.argv, sys.path[:] = ["-c", *args], ["", *BASE_PATH]
            main = types.ModuleType("__main__")
            sys.modules["__main__"] = main
            exec(compile(target, "<string>", "exec"), main.__dict__)
        elif kind == "-m":
            sys.argv, sys.path[:] = [target, *args], [os.getcwd(), *BASE_PATH]
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:   # NOTE: not runpy.run_path, which sets sys.argv[0] to the path it runs
            path = os.path.abspath(target)
            sys.argv, sys.path[:] = [target, *args], [os.path.dirname(os.path.realpath(path)), *BASE_PATH]
            main = types.ModuleType("__main__")
            main.__file__, main.__cached__ = path, None
            main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
            sys.modules["__main__"] = main
            with open(path, "rb") as source:
                code = compile(source.read(), path, "exec")
            exec(code, main.__dict__)
    except SystemExit as stop:
        status = _exit_status(stop.code)
    except BaseException as error:  # noqa: BLE001  (as the interpreter does: print it, exit 1)
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename in (__file__, "<frozen runpy>"):
            tb = tb.tb_next   # NOTE: the traceback starts in the program, as a fresh interpreter's does
        traceback.print_exception(type(error), error, tb)
        status = 1
    try:
        threading._shutdown()   # NOTE: the interpreter waits for non-daemon threads, then runs atexit
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        status = status or 120
    os._exit(status)


def _runner(conn):
    """In the forked runner: run one request's program and answer with what it did."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    request = _recv(conn)
    out, err, stdin = tempfile.TemporaryFile(), tempfile.TemporaryFile(), tempfile.TemporaryFile()
    stdin.write(request["input"] or b"")
    stdin.seek(0)
    pid = os.fork()
    if pid == 0:
        conn.close()
        os.setsid()
        for source, fd in ((stdin, 0), (out, 1), (err, 2)):
            os.dup2(source.fileno(), fd)
        _program(request)
    deadline = None if request["timeout"] is None else time.monotonic() + request["timeout"]
    timed_out = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if deadline is not None and time.monotonic() > deadline:
            timed_out = True
            os.killpg(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.005)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    out.seek(0)
    err.seek(0)
    _send(conn, {"returncode": code, "stdout": out.read(), "stderr": err.read(), "timed_out": timed_out})


def serve():
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(SOCKET)
    server.listen(64)
    server.settimeout(1.0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # runners are reaped by the kernel
    print("ready", flush=True)
    while os.getppid() == parent:   # NOTE: the test process died without closing us: stop too
        try:
            conn, _ = server.accept()
        except socket.timeout:
            continue
        if os.fork() == 0:
            server.close()
            try:
                _runner(conn)
            finally:
                os._exit(0)
        conn.close()


serve()
