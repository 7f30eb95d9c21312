"""Which line of a native rewrite holds each `sess.run` / `.eval` call site of the original.

    call_sites(old_text, new_text)     # [(27, 31), ...]: (original line, rewrite line) pairs

Native mode moves and rebuilds statements, so line numbers alone do not pair them. The
original is upgraded once more with a marker comment (`# tfu-site:27`) at the end of each
line holding a `.run(` or `.eval(` call; a statement keeps its trailing comment through a
rewrite, so the marker lands on the line that replaced it. The marked output, markers
removed, is aligned line by line with NEW (difflib), which carries the pairs over whether
NEW is the plain upgrade or a rewrite edited by hand since. A site whose statement was
dropped or rebuilt from scratch loses its marker and is paired by order (`match_sites`).
"""
from __future__ import annotations

import difflib
import io
import json
import re
import tokenize
from pathlib import Path

FORMAT = "tf-upgrade-callsites/1"
_MARK = re.compile(r"[ \t]*# tfu-site:(\d+)")


def site_lines(text: str) -> list[int]:
    """Lines holding a `.run(` or `.eval(` call whose end is code (not inside a string or after a backslash)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    ends = {t.start[0] for t in tokens if t.type in (tokenize.NL, tokenize.NEWLINE)}
    calls = {b.start[0] for a, b, c in zip(tokens, tokens[1:], tokens[2:])
             if a.string == "." and b.type == tokenize.NAME and b.string in ("run", "eval") and c.string == "("}
    return sorted(calls & ends)


def marked(text: str) -> str:
    """`text` with `  # tfu-site:N` at the end of each call-site line N."""
    lines = text.splitlines(keepends=True)
    for n in site_lines(text):
        line = lines[n - 1]
        body = line.rstrip("\r\n")
        lines[n - 1] = f"{body}  # tfu-site:{n}{line[len(body):]}"
    return "".join(lines)


def unmarked(code: str) -> tuple[list[str], dict[int, list[int]]]:
    """The lines of `code` without markers (a line left with only a marker goes) and {its line: original lines}."""
    out: list[str] = []
    marks: dict[int, list[int]] = {}
    for line in code.splitlines():
        found = [int(m) for m in _MARK.findall(line)]
        if not found:
            out.append(line)
            continue
        clean = _MARK.sub("", line).rstrip()
        if not clean.strip():
            continue
        out.append(clean)
        marks.setdefault(len(out), []).extend(found)
    return out, marks


def align(marks: dict[int, list[int]], ours: list[str], theirs: list[str]) -> list[tuple[int, int]]:
    """Pairs (original line, line of `theirs`) for the marked lines of `ours` that `theirs` has too."""
    where: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            where[block.a + k + 1] = block.b + k + 1
    pairs = {orig: where[line] for line, origs in marks.items() if line in where for orig in origs}
    return sorted(pairs.items())


def call_sites(old_text: str, new_text: str, mode: str = "native") -> list[tuple[int, int]]:
    """(original line, NEW line) for each call site of OLD whose rewrite NEW holds (see the module docstring)."""
    if not site_lines(old_text):
        return []
    from upgrader.engine import upgrade_source  # noqa: PLC0415
    result = upgrade_source(marked(old_text), mode)
    if result.errors:
        return []
    ours, marks = unmarked(result.code)
    return align(marks, ours, new_text.splitlines())


def write_sidecar(new: Path, pairs: list[tuple[int, int]]) -> Path:
    """`NEW.py.callsites.json` ({"format": "tf-upgrade-callsites/1", "sites": [[old, new], ...]})."""
    path = new.with_name(new.name + ".callsites.json")
    path.write_text(json.dumps({"format": FORMAT, "sites": [list(p) for p in pairs]}) + "\n", encoding="utf-8")
    return path
