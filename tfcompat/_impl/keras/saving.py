"""`model.save_weights` / `load_weights`: `<name>.weights.h5` in Keras 3's HDF5 layout (model_saving.py, with
h5py), other names a NumPy `.npz` archive of plain arrays, never unpickled.

    model.save_weights("w.weights.h5");  other.load_weights("w.weights.h5")     # Keras 3 reads it too

Arrays are stored in `model.weights` order under keys `000000:<path>`; loading checks
count and shapes and reads with `allow_pickle=False`.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from typing import Any

import numpy as np


def _path(filepath: Any) -> str:
    return os.fspath(filepath)


def save_weights(model: Any, filepath: Any, overwrite: bool = True) -> None:
    path = _path(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if path.endswith(".weights.h5"):  # Keras 3's HDF5 layout, which Keras reads
        from .model_saving import _atomically, write_weights  # noqa: PLC0415
        _atomically(path, lambda tmp: write_weights(model, tmp))
        return
    arrays = {f"{i:06d}:{getattr(v, 'path', v.name)}": np.asarray(v.numpy()) for i, v in enumerate(model.weights)}
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)  # NOTE: atomic: a crash never leaves a half-written weights file
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False) -> None:
    path = _path(filepath)
    if path.endswith(".h5") and not zipfile.is_zipfile(path):  # Keras 3's HDF5 layout (a .npz is a zip)
        from .model_saving import read_weights  # noqa: PLC0415
        read_weights(model, path)
        return
    with np.load(path, allow_pickle=False) as archive:
        arrays = [archive[k] for k in sorted(archive.files)]
    weights = model.weights
    if len(arrays) != len(weights):
        raise ValueError(f"Weights file {path} holds {len(arrays)} arrays but model '{model.name}' has "
                         f"{len(weights)} weights (build the model with the same layers before loading).")
    for v, a in zip(weights, arrays):
        if tuple(v.shape.as_list()) != a.shape:
            if skip_mismatch:
                continue
            raise ValueError(f"Shape mismatch loading {getattr(v, 'path', v.name)}: the model has "
                             f"{tuple(v.shape.as_list())}, the file has {a.shape}.")
        v.assign(a.astype(v.dtype.as_numpy_dtype))
