"""TF1's squared/absolute error of scalars converts to TF2 code that runs and gives TF1's numbers."""
from __future__ import annotations

import sys
from pathlib import Path

from tests import warm_python
from upgrader.engine import upgrade_source

CASE = Path(__file__).resolve().parents[2] / "fixtures" / "upgrade" / "native_losses" / "scalar_losses.input.py"


def test_scalar_losses_run_converted_and_print_tf1s_values(tmp_path):
    code = upgrade_source(CASE.read_text(), "native").code
    assert "tf.keras.losses" not in code and "Session" not in code
    script = tmp_path / "scalar_losses.py"
    script.write_text(code)
    out = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(script)],
                          capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    # TF1 (compat.v1 on TF 2.21): mean((0.5*2 - 3)^2) = 4, mean(|0.5*2 - 1 - 3|) = 3
    assert out.stdout.strip().splitlines()[-1] == "[np.float32(4.0), np.float32(3.0)]"
