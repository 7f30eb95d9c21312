"""`tf.io.gfile` (TF2 names) and `tf.gfile` (TF1 names): local files with TensorFlow's errors.

    with tf.io.gfile.GFile("/tmp/a.txt", "w") as f: f.write("hi")
    tf.gfile.Exists("/tmp/a.txt") is True

Only local paths: a `scheme://` path (gs://, hdfs://) raises UnimplementedError.
"""
from __future__ import annotations

import glob as _glob
import os
import shutil
from dataclasses import dataclass
from typing import Any, Iterator

from runtime.errors import AlreadyExistsError, NotFoundError, UnimplementedError

from ..._export import export


def _local(path: Any) -> str:
    path = os.fspath(path)
    path = path.decode() if isinstance(path, bytes) else path
    if "://" in path and not path.startswith("file://"):
        raise UnimplementedError(None, None, f"File system scheme '{path.split('://')[0]}' not implemented "
                                             f"(file: '{path}'); tfcompat reads and writes local files only")
    return path[len("file://"):] if path.startswith("file://") else path


def _not_found(path: str) -> NotFoundError:
    return NotFoundError(None, None, f"{path}; No such file or directory")


@export("io.gfile.GFile", v1=("io.gfile.GFile", "gfile.GFile", "gfile.Open"))
class GFile:
    """A file object: text for 'r'/'w'/'a', bytes with 'b'; opened on first use, like TF's."""

    def __init__(self, name: Any, mode: str = "r") -> None:
        self.name, self.mode = _local(name), mode
        self._f: Any = None

    def _file(self) -> Any:
        if self._f is None:
            if "r" in self.mode and not os.path.exists(self.name):
                raise _not_found(self.name)
            self._f = open(self.name, self.mode if "b" in self.mode else self.mode.replace("t", ""),
                           **({} if "b" in self.mode else {"encoding": "utf-8", "newline": ""}))
        return self._f

    def read(self, n: int = -1) -> Any:
        return self._file().read(n)

    def readline(self) -> Any:
        return self._file().readline()

    def readlines(self) -> list:
        return self._file().readlines()

    def write(self, file_content: Any) -> None:
        f = self._file()
        if "b" not in self.mode and isinstance(file_content, bytes):
            file_content = file_content.decode()
        f.write(file_content)

    def seek(self, offset: int | None = None, whence: int = 0, position: int | None = None) -> None:
        self._file().seek(position if offset is None else offset, whence)

    def tell(self) -> int:
        return self._file().tell()

    def size(self) -> int:
        return os.path.getsize(self.name)

    def seekable(self) -> bool:
        return True

    def flush(self) -> None:
        if self._f is not None:
            self._f.flush()

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._file())

    def __next__(self) -> Any:
        return next(self._file())

    def __enter__(self) -> "GFile":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@export(v1=("gfile.FastGFile",))
class FastGFile(GFile):
    """TF1's FastGFile: the same local file object."""


@dataclass(frozen=True)
class FileStatistics:
    length: int
    mtime_nsec: int
    is_directory: bool


@export("io.gfile.exists")
def exists(path: Any) -> bool:
    return os.path.exists(_local(path))


@export("io.gfile.isdir")
def isdir(path: Any) -> bool:
    return os.path.isdir(_local(path))


@export("io.gfile.makedirs")
def makedirs(path: Any) -> None:
    os.makedirs(_local(path), exist_ok=True)


@export("io.gfile.mkdir")
def mkdir(path: Any) -> None:
    path = _local(path)
    if os.path.exists(path):
        raise AlreadyExistsError(None, None, f"{path}; File exists")
    if not os.path.isdir(os.path.dirname(path) or "."):
        raise _not_found(path)
    os.mkdir(path)


@export("io.gfile.listdir")
def listdir(path: Any) -> list[str]:
    path = _local(path)
    if not os.path.isdir(path):
        raise NotFoundError(None, None, f"Could not find directory {path}")
    return os.listdir(path)


@export("io.gfile.glob")
def glob(pattern: Any) -> list[str]:
    patterns = [pattern] if isinstance(pattern, (str, bytes, os.PathLike)) else list(pattern)
    return sorted({m for p in patterns for m in _glob.glob(_local(p))})


@export("io.gfile.remove")
def remove(path: Any) -> None:
    path = _local(path)
    if not os.path.lexists(path):
        raise _not_found(path)
    os.remove(path)


@export("io.gfile.rmtree")
def rmtree(path: Any) -> None:
    path = _local(path)
    if not os.path.exists(path):
        raise _not_found(path)
    shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def _check_target(dst: str, overwrite: bool) -> None:
    if os.path.exists(dst) and not overwrite:
        raise AlreadyExistsError(None, None, f"file already exists: {dst}")


@export("io.gfile.copy")
def copy(src: Any, dst: Any, overwrite: bool = False) -> None:
    src, dst = _local(src), _local(dst)
    if not os.path.exists(src):
        raise _not_found(src)
    _check_target(dst, overwrite)
    shutil.copyfile(src, dst)


@export("io.gfile.rename")
def rename(src: Any, dst: Any, overwrite: bool = False) -> None:
    src, dst = _local(src), _local(dst)
    if not os.path.exists(src):
        raise _not_found(src)
    _check_target(dst, overwrite)
    os.replace(src, dst)


@export("io.gfile.stat")
def stat(path: Any) -> FileStatistics:
    path = _local(path)
    if not os.path.exists(path):
        raise _not_found(path)
    s = os.stat(path)
    return FileStatistics(s.st_size, s.st_mtime_ns, os.path.isdir(path))


@export("io.gfile.walk")
def walk(top: Any, topdown: bool = True, onerror: Any = None) -> Iterator[tuple[str, list[str], list[str]]]:
    top = _local(top)
    if not os.path.isdir(top):
        return
    yield from os.walk(top, topdown=topdown, onerror=onerror)


@export("io.gfile.join")
def join(path: Any, *paths: Any) -> str:
    return os.path.join(_local(path), *[os.fspath(p) for p in paths])


# -- TF1 spellings (each TF1 name is its own function in TF, with TF1 argument names) --------
@export(v1=("gfile.Exists",))
def Exists(filename: Any) -> bool:  # noqa: N802
    return exists(filename)


@export(v1=("gfile.IsDirectory",))
def IsDirectory(dirname: Any) -> bool:  # noqa: N802
    return isdir(dirname)


@export(v1=("gfile.MakeDirs",))
def MakeDirs(dirname: Any) -> None:  # noqa: N802
    makedirs(dirname)


@export(v1=("gfile.MkDir",))
def MkDir(dirname: Any) -> None:  # noqa: N802
    mkdir(dirname)


@export(v1=("gfile.ListDirectory",))
def ListDirectory(dirname: Any) -> list[str]:  # noqa: N802
    return listdir(dirname)


@export(v1=("gfile.Glob",))
def Glob(filename: Any) -> list[str]:  # noqa: N802
    return glob(filename)


@export(v1=("gfile.Remove",))
def Remove(filename: Any) -> None:  # noqa: N802
    remove(filename)


@export(v1=("gfile.DeleteRecursively",))
def DeleteRecursively(dirname: Any) -> None:  # noqa: N802
    rmtree(dirname)


@export(v1=("gfile.Copy",))
def Copy(oldpath: Any, newpath: Any, overwrite: bool = False) -> None:  # noqa: N802
    copy(oldpath, newpath, overwrite)


@export(v1=("gfile.Rename",))
def Rename(oldname: Any, newname: Any, overwrite: bool = False) -> None:  # noqa: N802
    rename(oldname, newname, overwrite)


@export(v1=("gfile.Stat",))
def Stat(filename: Any) -> FileStatistics:  # noqa: N802
    return stat(filename)


@export(v1=("gfile.Walk",))
def Walk(top: Any, in_order: bool = True) -> Iterator[tuple[str, list[str], list[str]]]:  # noqa: N802
    return walk(top, topdown=in_order)
