"""`tf.contrib.learn.preprocessing.VocabularyProcessor` (gone in TF2) becomes a small class the program defines.

    from tensorflow.contrib import learn                      ->  class VocabularyProcessor:
    vp = learn.preprocessing.VocabularyProcessor(25)                  ...   (the same ids as contrib's)
    ids = np.array(list(vp.fit_transform(texts)))             vp = VocabularyProcessor(25)

No TF2 layer numbers words as it did: TextVectorization gives 1 to unknown words (VocabularyProcessor
gives 0, as to padding), orders its vocabulary by frequency always (VocabularyProcessor keeps first-seen
order unless min_frequency trims it, then breaks ties alphabetically) and splits with RE2, which has no
lookaheads for VocabularyProcessor's tokenizer. So the converted program carries the algorithm itself:
the same regular expression, the same ids (an unfrozen vocabulary numbers the words `transform` meets;
`fit` counts, trims by min_frequency, freezes; fitting again counts the known words only), and
save/restore with pickle. Runs before the native analysis (native/run.py); the file is analysed again.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked
from upgrader.scan import collect_aliases, dotted, to_key

KEY = "tf.contrib.learn.preprocessing.VocabularyProcessor"
NAME = "VocabularyProcessor"

HEAD = '''class VocabularyProcessor:
    """tf.contrib.learn's VocabularyProcessor (gone in TF2): documents -> arrays of word ids.

    0 pads each document to max_document_length and stands for unknown words; words are numbered
    as first seen, or, once min_frequency trims the vocabulary, by falling count (ties alphabetically).
    """

    TOKENS = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|[\\'\\w\\-]+", re.UNICODE)

    def __init__(self, max_document_length, min_frequency=0, tokenizer_fn=None):
        self.max_document_length = max_document_length
        self.min_frequency = min_frequency
        self.tokenizer_fn = tokenizer_fn
        self.vocabulary_ = {"<UNK>": 0}   # word -> id, in id order
        self.counts = {}
        self.frozen = False

    def _tokenize(self, documents):
        if self.tokenizer_fn is not None:
            return self.tokenizer_fn(documents)
        return (self.TOKENS.findall(document) for document in documents)

    def _id(self, word):   # NOTE: until fit freezes it, the vocabulary numbers every word it is asked for
        if word not in self.vocabulary_ and not self.frozen:
            self.vocabulary_[word] = len(self.vocabulary_)
        return self.vocabulary_.get(word, 0)

    def fit(self, raw_documents, unused_y=None):
        for tokens in self._tokenize(raw_documents):
            for token in tokens:
                if self._id(token) > 0:
                    self.counts[token] = self.counts.get(token, 0) + 1
        if self.min_frequency > 0:   # words seen more than min_frequency times, renumbered by falling count
            ranked = sorted(sorted(self.counts.items(), key=lambda wc: (isinstance(wc[0], str), wc[0])),
                            key=lambda wc: wc[1], reverse=True)
            self.counts = {w: c for w, c in ranked if c > self.min_frequency}
            self.vocabulary_ = {"<UNK>": 0, **{w: i for i, w in enumerate(self.counts, 1)}}
        self.frozen = True
        return self

    def fit_transform(self, raw_documents, unused_y=None):
        self.fit(raw_documents)
        return self.transform(raw_documents)

    def transform(self, raw_documents):
        for tokens in self._tokenize(raw_documents):
            word_ids = NP.zeros(self.max_document_length, NP.int64)
            for i, token in zip(range(self.max_document_length), tokens):
                word_ids[i] = self._id(token)
            yield word_ids
'''
REVERSE = '''
    def reverse(self, documents):
        words = list(self.vocabulary_)
        for item in documents:
            yield " ".join(words[i] for i in item)
'''
SAVE = '''
    def save(self, filename):
        with OPEN(filename, "wb") as f:
            f.write(pickle.dumps(self))

    @classmethod
    def restore(cls, filename):
        with OPEN(filename, "rb") as f:
            return pickle.loads(f.read())
'''


def _key(node: ast.AST, aliases: dict[str, str]) -> str | None:
    d = dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
    head, _, rest = (d or "").partition(".")
    return to_key(aliases[head] + ("." + rest if rest else "")) if d and head in aliases else None


def _module_alias(tree: ast.Module, module: str) -> str | None:
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.name == module:
                    return a.asname or a.name
    return None


def helper_class(tree: ast.Module, aliases: dict[str, str]) -> tuple[list[str], str]:
    """(imports to add, the class's source) for this file: its numpy and TensorFlow spellings, and the
    methods the file calls beyond fit/transform (save/restore, reverse)."""
    imports, np_name = [], _module_alias(tree, "numpy")
    if np_name is None:
        np_name = "np"
        imports.append("import numpy as np")
    for module in ("re", "pickle"):
        if _module_alias(tree, module) != module:
            imports.append(f"import {module}")
    tf = next((n for n, q in aliases.items() if q == "tensorflow"), None)
    called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    text = HEAD.replace("NP.", np_name + ".")
    text += REVERSE if "reverse" in called else ""
    text += SAVE.replace("OPEN", f"{tf}.io.gfile.GFile" if tf else "open") if called & {"save", "restore"} else ""
    return (imports if called & {"save", "restore"} else [i for i in imports if i != "import pickle"]), text


def vocabulary_processors(code: str, tree: ast.Module) -> str | None:
    """`code` with VocabularyProcessor spelled as the class it now defines, or None when it has none."""
    if NAME not in code or not (aliases := collect_aliases(tree)):
        return None
    refs = [n for n in ast.walk(tree) if isinstance(n, (ast.Name, ast.Attribute)) and _key(n, aliases) == KEY]
    if not refs:
        return None
    ref_ids = {id(n) for n in refs}
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and id(n.func) in ref_ids and (len(n.args) > 2 or any(
                k.arg in ("vocabulary", None) for k in n.keywords)):
            raise Blocked(n.lineno, "VocabularyProcessor(vocabulary=...): a prebuilt CategoricalVocabulary is not "
                                    "converted natively (pass the documents to fit instead)")
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Attribute) and n.value.attr == "vocabulary_":
            raise Blocked(n.lineno, f"vocabulary_.{n.attr}: the converted VocabularyProcessor's vocabulary_ is a "
                                    "dict of word ids (len() and lookups work; CategoricalVocabulary's methods do not)")
    bound = {t.id for n in ast.walk(tree) for t in ast.walk(n) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    if NAME in bound:
        raise Blocked(refs[0].lineno, f"VocabularyProcessor: the name {NAME} is already bound in this file")
    lines = code.splitlines(keepends=True)
    edits: list[tuple[int, int, int, int, str]] = [(n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, NAME)
                                                   for n in refs if not any(_inside(n, m) for m in refs if m is not n)]
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in ref_ids
            and not any(_inside(n, r) for r in refs)}
    first_use = next(i for i, s in enumerate(tree.body) if any(id(n) in ref_ids for n in ast.walk(s)))
    anchor = None
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names = [a.asname or a.name.split(".")[0] for a in stmt.names]
            if all(aliases.get(n, "").startswith("tensorflow.contrib.learn") and n not in used for n in names):
                edits.append((stmt.lineno, 0, stmt.end_lineno + 1, 0, ""))   # an import only the class needed
            elif i < first_use:
                anchor = stmt
    imports, text = helper_class(tree, aliases)
    block = "".join(i + "\n" for i in imports) + "\n\n" + text + "\n\n"
    at = (anchor.end_lineno + 1, 0) if anchor is not None else (tree.body[first_use].lineno, 0)
    if anchor is None:
        block = block.lstrip("\n")
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"   # NOTE: a CRLF file stays CRLF
    edits.append((*at, *at, block.replace("\n", newline)))
    return apply_edits(lines, edits)


def _inside(inner: ast.AST, outer: ast.AST) -> bool:
    return inner is not outer and any(n is inner for n in ast.walk(outer))


def apply_edits(lines: list[str], edits: list[tuple[int, int, int, int, str]]) -> str:
    """The text of `lines` with each (line, col, end_line, end_col, new text) edit made (ast positions)."""
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    code = "".join(lines)

    def at(line: int, col: int) -> int:   # NOTE: ast columns count UTF-8 bytes
        if line > len(lines):
            return len(code)
        return starts[line - 1] + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", "replace"))

    for l0, c0, l1, c1, text in sorted(edits, reverse=True):
        code = code[:at(l0, c0)] + text + code[at(l1, c1):]
    return code
