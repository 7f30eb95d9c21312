"""Compare program outputs as the oracle does: equal words, numbers equal within tolerance.

    differences("loss 0.1000", "loss 0.10001") == None
"""
from __future__ import annotations

import re

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


def tokens(text: str) -> list[tuple[str, object]]:
    """Words and numbers of `text`, in order; brackets, commas and blank lines do not count."""
    out: list[tuple[str, object]] = []
    for line in text.splitlines():
        line = line.strip()
        pos = 0
        for match in NUMBER.finditer(line):
            word = line[pos:match.start()].strip(" ,[]()")
            if word:
                out.append(("word", word))
            out.append(("number", float(match.group())))
            pos = match.end()
        tail = line[pos:].strip(" ,[]()")
        if tail:
            out.append(("word", tail))
    return out


def differences(expected: str, actual: str, rtol: float = 1e-3, atol: float = 1e-5) -> str | None:
    """None when the outputs agree, else a description of the first difference."""
    exp, act = tokens(expected), tokens(actual)
    for i, ((kind_e, e), (kind_a, a)) in enumerate(zip(exp, act)):
        if kind_e != kind_a or (kind_e == "word" and e != a):
            return f"token {i}: expected {kind_e} {e!r}, got {kind_a} {a!r}"
        if kind_e == "number" and not (e == a or abs(e - a) <= atol + rtol * abs(e) or (e != e and a != a)):
            return f"token {i}: expected {e}, got {a}"
    if len(exp) != len(act):
        return f"expected {len(exp)} tokens, got {len(act)}"
    return None
