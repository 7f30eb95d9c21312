"""Compat rewrites of one region, remembered for the process: the same text under the same imports
rewrites the same way, so a tree's repeated lines (`sess = tf.Session()`) go through LibCST once.

    new = cached_rewrite(text, "expr", ctx, rule_types, lambda: _rewrite(text, "expr", dispatch))

Compat rules are functions of the region's text, the file's import aliases, the tables and the few file
facts a rule declares (`Rule.file_facts`); what
else they do to the file's `Context` (report lines, ask for `import tensorflow`, add an alias,
mark graph use) is recorded with the result and replayed on a hit, at the new region's position.
Native rules keep per-file state and are never cached.
"""
from __future__ import annotations

from typing import Callable, Sequence

from upgrader.rule import Context, Rule

LIMIT = 50_000   # entries; the cache starts over past this (a tree's distinct statements rarely reach it)
_CACHE: dict[tuple, tuple] = {}


def cached_rewrite(text: str, kind: str, ctx: Context, rule_types: Sequence[type[Rule]],
                   rewrite: Callable[[], str]) -> str:
    """`rewrite()`'s result for this region, computed once per (rule set, style, kind, text, aliases, facts)."""
    key = (tuple(rule_types), ctx.keywords, kind, text, tuple(sorted(ctx.scan.aliases.items())),
           tuple(sorted(ctx.facts.items())))
    hit = _CACHE.get(key)
    if hit is None:
        hit = _record(ctx, rewrite)
        if len(_CACHE) >= LIMIT:
            _CACHE.clear()
        _CACHE[key] = hit
        return hit[0]
    new, calls, added, need_import, graph = hit
    for call in calls:
        ctx.report(*call)
    ctx.scan.aliases.update(added)
    ctx.need_tf_import |= need_import
    ctx.scan.uses_graph |= graph
    return new


def _record(ctx: Context, rewrite: Callable[[], str]) -> tuple:
    calls: list[tuple[str, str, str, bool]] = []
    report = ctx.report

    def record(rule: str, message: str, severity: str, once: bool = False) -> None:
        calls.append((rule, message, severity, once))
        report(rule, message, severity, once)

    before = dict(ctx.scan.aliases)
    need_import, graph = ctx.need_tf_import, ctx.scan.uses_graph
    ctx.need_tf_import = ctx.scan.uses_graph = False
    ctx.report = record   # type: ignore[method-assign]
    try:
        new = rewrite()
    finally:
        del ctx.report    # type: ignore[misc]   # NOTE: the class's method again
        set_import, set_graph = ctx.need_tf_import, ctx.scan.uses_graph
        ctx.need_tf_import, ctx.scan.uses_graph = need_import or set_import, graph or set_graph
    added = {k: v for k, v in ctx.scan.aliases.items() if before.get(k) != v}
    return new, tuple(calls), added, set_import, set_graph
