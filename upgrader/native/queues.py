"""Queue-based TF1 input pipelines respelt as the tf.data pipelines they stand for, before native analysis.

    filename_queue = tf.train.string_input_producer([path], shuffle=False)
    reader = tf.TextLineReader(skip_header_lines=1)
    _, value = reader.read(filename_queue)
    a, b = tf.decode_csv(value, record_defaults=[[0], [0.0]])
    xb, yb = tf.train.batch([a, b], batch_size=4)
  ->
    def parse_record(value):
        a, b = tf.decode_csv(value, record_defaults=[[0], [0.0]])
        return a, b
    dataset = tf.data.Dataset.from_tensor_slices([path]).repeat().flat_map(
        lambda filename: tf.data.TextLineDataset(filename).skip(1)).map(parse_record).batch(4, drop_remainder=True)
    xb, yb = dataset.make_one_shot_iterator().get_next()

An in-memory queue fed by queue runners (`q = tf.FIFOQueue(...)`, `q.enqueue_many([data, target])`,
`tf.train.QueueRunner(q, [enqueue] * 4)`, `x, y = q.dequeue()`) becomes `from_tensor_slices(...).repeat()`.
The Coordinator and queue-runner threads go (tf.data needs none): `while not coord.should_stop():` is
`while True:`, a `finally:` that only stops them goes. The native analysis then converts the one-shot
iterator as any other. The order of TF1's shuffling queues is random, and so is tf.data's (other numbers);
TF's own advice is followed: `shuffle_batch(..., min_after_dequeue=m)` -> `.shuffle(m).batch(...)`; a batch
without allow_smaller_final_batch drops the last partial batch, as the queue did.

`queue_pipelines(code, tree)` returns the respelt code (None: no queue) or raises `Blocked` naming the
argument or use that has no tf.data form here.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked
from upgrader.native.estimator import _free
from upgrader.native.model import Program
from upgrader.native.queue_text import Lines, coordinator_edits, literal
from upgrader.scan import collect_aliases

PRODUCER = "tf.train.string_input_producer"
READERS = {"tf.TextLineReader": "TextLineDataset", "tf.FixedLengthRecordReader": "FixedLengthRecordDataset",
           "tf.TFRecordReader": "TFRecordDataset", "tf.WholeFileReader": "read_file"}
BATCHES = ("tf.train.batch", "tf.train.shuffle_batch")
QUEUES = ("tf.FIFOQueue", "tf.RandomShuffleQueue")
PRODUCER_ARGS = ("string_tensor", "num_epochs", "shuffle", "seed", "capacity", "shared_name", "name", "cancel_op")
READER_ARGS = {"tf.TextLineReader": ("skip_header_lines", "name"),
               "tf.FixedLengthRecordReader": ("record_bytes", "header_bytes", "footer_bytes", "hop_bytes", "name",
                                              "encoding"),
               "tf.TFRecordReader": ("name", "options"), "tf.WholeFileReader": ("name",)}
BATCH_ARGS = {"tf.train.batch": ("tensors", "batch_size", "num_threads", "capacity", "enqueue_many", "shapes",
                                 "dynamic_pad", "allow_smaller_final_batch", "shared_name", "name"),
              "tf.train.shuffle_batch": ("tensors", "batch_size", "capacity", "min_after_dequeue", "num_threads", "seed",
                                         "enqueue_many", "shapes", "allow_smaller_final_batch", "shared_name", "name")}
QUEUE_ARGS = {"tf.FIFOQueue": ("capacity", "dtypes", "shapes", "names", "shared_name", "name"),
              "tf.RandomShuffleQueue": ("capacity", "min_after_dequeue", "dtypes", "shapes", "names", "seed",
                                        "shared_name", "name")}
IGNORED = {"name", "capacity", "num_threads", "shapes"}   # queue sizes, threads, shape checks: tf.data needs none


def queue_pipelines(code: str, tree: ast.Module) -> str | None:
    """`code` with its module-level queue pipelines respelt as tf.data (module docstring); None: none there."""
    if not any(w in code for w in ("string_input_producer", "Queue", "start_queue_runners")):
        return None
    try:
        return _respell(code, tree)
    except Blocked:
        if any(isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and PRODUCER.rsplit(".", 1)[1] in ast.unparse(d)
               for d in tree.body):
            return None   # NOTE: a pipeline in a def the analysis then reports as a graph built in a function
        raise
    except Exception as e:   # NOTE: a bug here must cost a fallback with its reason, never the user's upgrade
        raise Blocked(1, f"internal error in the queue-pipeline conversion ({type(e).__name__}: {e})") from None


def _respell(code: str, tree: ast.Module) -> str | None:
    prog = Program(code, tree, collect_aliases(tree))
    tf = next((a for a, full in prog.aliases.items() if full == "tensorflow"), None)
    scopes = [tree.body] + [d.body for d in tree.body if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))]
    producers = [(s, body) for body in scopes for s in body if _assigned(prog, s) == PRODUCER or (
        body is tree.body and _assigned(prog, s) in QUEUES)]   # NOTE: readers in a helper def too (`return xb, yb`)
    if tf is None or not producers:
        return None
    lines = Lines(code)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    gone: set[str] = set()   # the queue, reader and runner names no code may read any more
    for stmt, body in producers:
        if _assigned(prog, stmt) == PRODUCER:
            gone |= _reader_pipeline(prog, tf, stmt, lines, taken, body)
        else:
            gone |= _memory_queue(prog, tf, stmt, lines, taken)
    coordinator_edits(prog, tree, lines, gone)
    out = lines.text()
    try:
        ast.parse(out)
    except SyntaxError as e:   # NOTE: a respelling bug must cost a fallback, never the user's code
        raise Blocked(1, f"internal error: the tf.data form of the queue pipeline did not parse ({e.msg})") from None
    return out


def _assigned(prog: Program, stmt: ast.stmt) -> str | None:
    """The TF call a one-name assignment binds ('tf.FIFOQueue'), or None."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Call):
        return prog.call_key(stmt.value)
    return None


def _args(call: ast.Call, names: tuple[str, ...], what: str) -> dict[str, ast.expr]:
    """The call's arguments by name; one native mode has no tf.data form for raises Blocked naming it."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Blocked(call.lineno, f"{what} with *args/**kwargs: its arguments cannot be read statically")
    given = dict(zip(names, call.args)) | {k.arg: k.value for k in call.keywords}
    return given


def _refuse(call: ast.Call, what: str, given: dict[str, ast.expr], allowed: set[str]) -> None:
    extra = sorted(set(given) - allowed - IGNORED)
    if extra:
        raise Blocked(call.lineno, f"{what}({', '.join(a + '=' for a in extra)}...): queue-based input pipelines "
                                   "convert to tf.data without these arguments (use tf.data by hand)")


def _reader_pipeline(prog: Program, tf: str, stmt: ast.Assign, lines: Lines, taken: set[str],
                     body: list[ast.stmt]) -> set[str]:
    """string_input_producer -> reader -> read -> per-example statements -> batch, as one dataset statement."""
    queue = _name(stmt, "the filename queue")
    given = _args(stmt.value, PRODUCER_ARGS, PRODUCER)
    _refuse(stmt.value, PRODUCER, given, {"string_tensor", "num_epochs", "shuffle", "seed"})
    files = given.get("string_tensor")
    if not isinstance(files, (ast.Name, ast.List, ast.Tuple, ast.ListComp)):
        raise Blocked(stmt.lineno, f"{PRODUCER}: its file names are not a list or a name native mode can take len() of")
    shuffle = literal(given.get("shuffle"), True, "shuffle")
    at = body.index(stmt)
    reader = next((s for s in body[at + 1:] if _assigned(prog, s) in READERS), None)
    read = next((s for s in body[at + 1:] if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and isinstance(
        s.value.func, ast.Attribute) and s.value.func.attr == "read" and [_src(prog, a) for a in s.value.args] == [queue]),
        None)
    if reader is None or read is None or body.index(reader) > body.index(read):
        raise Blocked(stmt.lineno, f"{PRODUCER}: no tf.TextLineReader/FixedLengthRecordReader/TFRecordReader at module "
                                   f"level or in its def reads '{queue}' (reader.read({queue}); tf.WholeFileReader too)")
    kind = prog.call_key(reader.value)
    if _src(prog, read.value.func.value) != _name(reader, "the reader"):
        raise Blocked(read.lineno, f"'{_src(prog, read.value.func.value)}' is not the reader made at line {reader.lineno}")
    target = read.targets[0]
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and all(isinstance(e, ast.Name) for e in target.elts)):
        raise Blocked(read.lineno, "reader.read(queue): bind its key and value to two names (key, value = ...)")
    key, value = target.elts[0].id, target.elts[1].id
    rgiven = _args(reader.value, READER_ARGS[kind], kind)
    _refuse(reader.value, kind, rgiven, {"skip_header_lines", "record_bytes", "header_bytes", "footer_bytes"})
    start = body.index(read)
    batch = next((s for s in body[start + 1:] if _assigned(prog, s) in BATCHES), None)
    end = body.index(batch) if batch is not None else len(body)
    example, steps = {value}, []
    for s in body[start + 1:end]:
        if _reads(s) & example:
            if not isinstance(s, (ast.Assign, ast.AugAssign)):
                if batch is None:
                    break   # where the records are used: unbatched, each run reads one record
                raise Blocked(s.lineno, f"a {type(s).__name__.lower()} statement in the per-record pipeline")
            steps.append(s)
            example |= _stores(s)
    if key in {n for s in body[start + 1:] for n in _reads(s)}:
        raise Blocked(read.lineno, f"'{key}' (the reader's record key) is read: tf.data gives the records only")
    if batch is not None:
        tensors, targets, dataset_tail = _batch(prog, batch, example)
        late = [n for s in body[end + 1:] for n in ast.walk(s) if isinstance(n, ast.Name) and n.id in example
                and isinstance(n.ctx, ast.Load)]
        if late:
            raise Blocked(late[0].lineno, f"'{late[0].id}' is read outside the per-record pipeline; tf.data gives "
                                          "the batch only")
    else:   # NOTE: one record per sess.run, as the queue gave: the names read later are the iterator's element
        batch = steps[-1] if steps else read
        after = body[body.index(batch) + 1:]
        used = list(dict.fromkeys(n.id for n in sorted((n for s in after for n in ast.walk(s) if isinstance(n, ast.Name)
                                                        and n.id in example and isinstance(n.ctx, ast.Load)),
                                                       key=lambda n: (n.lineno, n.col_offset))))
        if not used:
            raise Blocked(read.lineno, "the records read are neither batched nor used (tf.train.batch/shuffle_batch)")
        targets, dataset_tail = ", ".join(used), []
        tensors = used[0] if len(used) == 1 else "(" + ", ".join(used) + ")"
    files_ds = f"({tf}.data.Dataset.from_tensor_slices({_src(prog, files)})"
    if shuffle:
        seed = given.get("seed")
        files_ds += f".shuffle(len({_src(prog, files)})" + (f", seed={_src(prog, seed)})" if seed else ")")
    epochs = given.get("num_epochs")
    files_ds += f".repeat({_src(prog, epochs)})" if epochs is not None and _src(prog, epochs) != "None" else ".repeat()"
    stages = [_records(prog, tf, kind, rgiven)]
    parse = ""
    if steps:
        fn = _free("parse_record", taken)
        owner = next((d for d in prog.tree.body if getattr(d, "body", None) is body), None)
        inner = owner is not None and bool(_locals(owner) & (set().union(*map(_reads, steps)) - example))
        parse = f"def {fn}({value}):\n" + "".join(lines.block(s, "    ") for s in steps) + \
            f"    return {tensors[1:-1] if tensors.startswith('(') else tensors}\n" + ("\n" if inner else "\n\n")
        stages.append(f".map({fn})")
        if owner is not None and not inner:   # NOTE: reads no local of its def: a module-level function beside it
            lines.before(owner, parse)
            parse = ""
    elif tensors != value:
        stages.append(f".map(lambda {value}: {tensors})")
    ds = _free("dataset", taken)
    for s in (stmt, reader, read, *steps):
        lines.drop(s)
    pad = "\n" + " " * (len(ds) + 4)
    chain = files_ds + pad + pad.join(stages + dataset_tail) + ")"
    lines.replace(batch, parse + f"{ds} = {chain}\n{targets} = {ds}.make_one_shot_iterator().get_next()\n")
    return {queue, _name(reader, "the reader")}


def _records(prog: Program, tf: str, kind: str, given: dict[str, ast.expr]) -> str:
    """`.flat_map(...)`: each file's records, as the reader read them."""
    if kind == "tf.TextLineReader":
        skip = given.get("skip_header_lines")
        skip = "" if skip is None or _src(prog, skip) in ("None", "0") else f".skip({_src(prog, skip)})"
        return f".flat_map(lambda filename: {tf}.data.TextLineDataset(filename){skip})"
    if kind == "tf.TFRecordReader":
        return f".flat_map({tf}.data.TFRecordDataset)"
    if kind == "tf.WholeFileReader":   # one record per file: its contents
        return f".map({tf}.read_file)"
    extra = "".join(f", {a}={_src(prog, given[a])}" for a in ("header_bytes", "footer_bytes") if a in given)
    if "record_bytes" not in given:
        raise Blocked(0, "tf.FixedLengthRecordReader without record_bytes")
    return f".flat_map(lambda filename: {tf}.data.FixedLengthRecordDataset(filename, {_src(prog, given['record_bytes'])}{extra}))"


def _batch(prog: Program, stmt: ast.Assign, example: set[str]) -> tuple[str, str, list[str]]:
    """(what the per-record function returns, the batch's targets, the dataset's `.shuffle(...).batch(...)` tail)."""
    kind = prog.call_key(stmt.value)
    given = _args(stmt.value, BATCH_ARGS[kind], kind)
    _refuse(stmt.value, kind, given, {"tensors", "batch_size", "min_after_dequeue", "seed", "allow_smaller_final_batch",
                                      "enqueue_many"})
    tensors = given.get("tensors")
    if not isinstance(tensors, (ast.List, ast.Tuple)) or not tensors.elts:
        raise Blocked(stmt.lineno, f"{kind}: its tensors are not a list written out ([features, label])")
    target = stmt.targets[0]
    names = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
    if len(names) != len(tensors.elts) or not all(isinstance(n, ast.Name) for n in names):
        raise Blocked(stmt.lineno, f"{kind}: bind each batched tensor to a name (x_batch, y_batch = ...)")
    tail: list[str] = []
    if kind == "tf.train.shuffle_batch":
        low = given.get("min_after_dequeue")
        if low is None or _src(prog, low) == "0":
            raise Blocked(stmt.lineno, f"{kind}: min_after_dequeue is not given or 0 (tf.data.Dataset.shuffle needs a "
                                       "buffer of at least one element)")
        seed = given.get("seed")
        tail.append(f".shuffle({_src(prog, low)}" + (f", seed={_src(prog, seed)})" if seed else ")"))
    if literal(given.get("enqueue_many"), False, "enqueue_many"):
        tail.insert(0, ".unbatch()")
    smaller = literal(given.get("allow_smaller_final_batch"), False, "allow_smaller_final_batch")
    size = given.get("batch_size")
    if size is None:
        raise Blocked(stmt.lineno, f"{kind} without batch_size")
    tail.append(f".batch({_src(prog, size)}{'' if smaller else ', drop_remainder=True'})")
    values = [_src(prog, e) for e in tensors.elts]
    out = values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"
    return out, ", ".join(n.id for n in names), tail


def _memory_queue(prog: Program, tf: str, stmt: ast.Assign, lines: Lines, taken: set[str]) -> set[str]:
    """An in-memory FIFOQueue/RandomShuffleQueue filled by queue runners: `from_tensor_slices(...).repeat()`."""
    body = prog.tree.body
    kind = prog.call_key(stmt.value)
    queue = _name(stmt, "the queue")
    given = _args(stmt.value, QUEUE_ARGS[kind], kind)
    _refuse(stmt.value, kind, given, {"dtypes", "min_after_dequeue", "seed"})
    uses = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == queue]
    by_attr: dict[str, list[ast.stmt]] = {}
    for n in uses:
        owner = next((s for s in body if s.lineno <= n.lineno <= s.end_lineno), None)
        by_attr.setdefault(n.attr, []).append(owner)
    other = sorted(set(by_attr) - {"enqueue_many", "dequeue", "dequeue_many", "dequeue_up_to"})
    if other or len(by_attr.get("enqueue_many", [])) != 1:
        raise Blocked(stmt.lineno, f"{kind} '{queue}': native mode converts one enqueue_many of in-memory data and one "
                                   f"dequeue, not {', '.join(f'{queue}.{a}' for a in other) or 'this'} (use tf.data by hand)")
    enqueue = by_attr["enqueue_many"][0]
    take = [s for a in ("dequeue", "dequeue_many", "dequeue_up_to") for s in by_attr.get(a, [])]
    if not _method(enqueue, queue) or len(take) != 1 or not _method(take[0], queue):
        raise Blocked(stmt.lineno, f"{kind} '{queue}': native mode converts `op = {queue}.enqueue_many([...])` and one "
                                   f"`x, y = {queue}.dequeue()` at module level")
    op = _name(enqueue, "the enqueue op")
    values = enqueue.value.args[0] if enqueue.value.args else None
    dtypes = given.get("dtypes")
    if not isinstance(dtypes, (ast.List, ast.Tuple)):
        dtypes = ast.List([dtypes], ast.Load()) if dtypes is not None else None
    items = values.elts if isinstance(values, (ast.List, ast.Tuple)) else [values]
    if dtypes is None or values is None or len(items) != len(dtypes.elts):
        raise Blocked(enqueue.lineno, f"{queue}.enqueue_many: one value per queue dtype, written out as a list")
    graph = [n.id for v in items for n in ast.walk(v) if isinstance(n, ast.Name) and _graph_name(prog, n.id)]
    if graph:
        raise Blocked(enqueue.lineno, f"{queue}.enqueue_many reads the graph value '{graph[0]}': native mode converts "
                                      "queues of in-memory data (NumPy arrays, lists)")
    runner = [s for s in body if _assigned(prog, s) == "tf.train.QueueRunner"]
    rgiven = _args(runner[0].value, ("queue", "enqueue_ops"), "tf.train.QueueRunner") if len(runner) == 1 else {}
    ops = rgiven.get("enqueue_ops")
    if len(runner) != 1 or set(rgiven) != {"queue", "enqueue_ops"} or _src(prog, rgiven["queue"]) != queue or any(
            n.id != op and (_graph_name(prog, n.id) or n.id == queue) for n in ast.walk(ops) if isinstance(n, ast.Name)) \
            or op not in {n.id for n in ast.walk(ops) if isinstance(n, ast.Name)}:
        raise Blocked(stmt.lineno, f"{kind} '{queue}': native mode converts a queue filled by one "
                                   f"tf.train.QueueRunner({queue}, [{op}] * n)")
    slices = ", ".join(f"{tf}.constant({_src(prog, v)}, {_src(prog, d)})" for v, d in zip(items, dtypes.elts))
    ds = f"{tf}.data.Dataset.from_tensor_slices({slices if len(items) == 1 else '(' + slices + ')'}).repeat()"
    if kind == "tf.RandomShuffleQueue":
        cap, seed = given.get("capacity"), given.get("seed")
        ds += f".shuffle({_src(prog, cap)}" + (f", seed={_src(prog, seed)})" if seed else ")")
    out = take[0]
    call = out.value
    if call.func.attr != "dequeue":
        n = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "n"), None)
        ds += f".batch({_src(prog, n)}{', drop_remainder=True' if call.func.attr == 'dequeue_many' else ''})"
    name = _free("dataset", taken)
    target = ast.get_source_segment(prog.source, out.targets[0])
    lines.replace(out, f"{name} = {ds}\n{target} = {name}.make_one_shot_iterator().get_next()\n")
    for s in (stmt, enqueue, runner[0]):
        lines.drop(s)
    for s in body:
        if isinstance(s, ast.Expr) and prog.call_key(s.value) == "tf.train.add_queue_runner":
            lines.drop(s)
    return {queue, op, _name(runner[0], "the queue runner")}


def _src(prog: Program, node: ast.AST) -> str:
    """`node` as the user wrote it (ast.unparse would respell quotes and parentheses)."""
    return ast.get_source_segment(prog.source, node) or ast.unparse(node)


def _method(stmt: ast.stmt | None, queue: str) -> bool:
    """`target = <queue>.<method>(...)`, the whole statement."""
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Call) and isinstance(
        stmt.value.func, ast.Attribute) and isinstance(stmt.value.func.value, ast.Name) and stmt.value.func.value.id == queue


def _graph_name(prog: Program, name: str) -> bool:
    """`name` is bound at module level to a TF call's result (not NumPy data)."""
    return any(isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)
               and any(prog.key(n) is not None for n in ast.walk(s.value) if isinstance(n, (ast.Name, ast.Attribute)))
               for s in prog.tree.body)


def _name(stmt: ast.Assign, what: str) -> str:
    t = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
    if not isinstance(t, ast.Name):
        raise Blocked(stmt.lineno, f"{what} is not bound to one name")
    return t.id


def _locals(fn: ast.FunctionDef) -> set[str]:
    """The names `fn` binds: its parameters and what its own statements assign."""
    a = fn.args
    params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs} | {x.arg for x in (a.vararg, a.kwarg) if x}
    return params | {n for s in fn.body for n in _stores(s)}


def _reads(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} | {
        n.target.id for n in ast.walk(stmt) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)} | {
        n.value.id for n in ast.walk(stmt) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
        and isinstance(n.value, ast.Name)}


def _stores(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
