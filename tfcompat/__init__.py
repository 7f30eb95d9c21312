"""TensorFlow's API on tfcompat's engine: `import tfcompat as tf`.

TF1 code uses `import tfcompat.compat.v1 as tf`; `tfcompat run script.py` runs an
unmodified script with `import tensorflow` bound to tfcompat.
"""
from __future__ import annotations

import importlib
import pkgutil

from . import _export, _impl

for _info in pkgutil.walk_packages(_impl.__path__, _impl.__name__ + "."):
    importlib.import_module(_info.name)

__version__ = "2.21.0"
_export.build(_export.V2, __name__)
_v1 = _export.build(_export.V1, "tfcompat.compat.v1")
compat = _export._module("tfcompat.compat")
compat.v1 = _v1
compat.v2 = importlib.import_module(__name__)
_export.V2.setdefault("compat", compat)
_v1.__version__ = "1.15.0"
_v1.compat = compat
