"""tf.contrib.learn's VocabularyProcessor in native mode: the class written into the converted program gives
the ids TF 1.15's gave (checked against tests/upgrader/vocabulary_reference.py, an independent model of
TF 1.15's source), and a program using it converts and prints what the original printed under TF1.
"""
from __future__ import annotations

import ast
import os
import pickle
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from tests import warm_python
from tests.upgrader import vocabulary_reference as ref
from upgrader.native.run import upgrade_native
from upgrader.native.vocabulary import helper_class

ROOT = Path(__file__).resolve().parents[2]

DOCS = ["Free prize CALL now!!", "call me later, ok?", "WIN a FREE prize now now now", "see you at lunch",
        "HTTPServer isDown don't-panic", "naïve café déjà-vu 42 times", "ABCdef XYZ", "under_score and dash-ed",
        "now now free free call", ""]
LATER = ["free lunch now", "unseen words only", "prize prize prize now call me", "CALL ME"]


def _helper() -> type:
    tree = ast.parse("import numpy as np\nvp.save('f')\nvp.reverse(x)\n")
    imports, text = helper_class(tree, {})
    module = types.ModuleType("converted_vocabulary")   # NOTE: a module pickle can find the class in
    module.__dict__.update({"np": np, "re": re, "pickle": pickle})
    sys.modules[module.__name__] = module
    exec(compile(text, "helper", "exec"), module.__dict__)
    assert set(imports) == {"import re", "import pickle"}
    return module.VocabularyProcessor


def _rows(gen) -> list[list[int]]:
    rows = [r for r in gen]
    assert all(r.dtype == np.int64 for r in rows)
    return [r.tolist() for r in rows]


@pytest.mark.parametrize("length,min_frequency", [(4, 0), (7, 0), (5, 1), (8, 2), (3, 3)])
def test_fit_transform_gives_tf1s_ids(length: int, min_frequency: int) -> None:
    ours, theirs = _helper()(length, min_frequency=min_frequency), ref.VocabularyProcessor(length, min_frequency)
    assert _rows(ours.fit_transform(DOCS)) == _rows(theirs.fit_transform(DOCS))
    assert len(ours.vocabulary_) == len(theirs.vocabulary_)
    assert _rows(ours.transform(LATER)) == _rows(theirs.transform(LATER))   # unknown words: 0
    some = [list(range(len(theirs.vocabulary_)))[::-1]]
    assert list(ours.reverse(some)) == list(theirs.reverse(some))


def test_the_stateful_orders_of_calls_match() -> None:
    """transform before fit numbers words as met; fitting a frozen vocabulary again recounts and renumbers."""
    for min_frequency in (0, 1, 2):
        ours, theirs = _helper()(6, min_frequency=min_frequency), ref.VocabularyProcessor(6, min_frequency)
        for step in (lambda p: p.transform(DOCS[3:]), lambda p: p.fit_transform(DOCS[:6]),
                     lambda p: p.fit_transform(DOCS[4:] + LATER), lambda p: p.transform(LATER)):
            assert _rows(step(ours)) == _rows(step(theirs)), min_frequency
            assert len(ours.vocabulary_) == len(theirs.vocabulary_)
        ours.transform(["never consumed"])   # a generator: no word is numbered until it runs
        assert len(ours.vocabulary_) == len(theirs.vocabulary_)


def test_a_custom_tokenizer_and_save_restore(tmp_path: Path) -> None:
    cls = _helper()
    ours = cls(3, tokenizer_fn=lambda docs: (d.split(",") for d in docs))
    theirs = ref.VocabularyProcessor(3, tokenizer_fn=lambda docs: (d.split(",") for d in docs))
    assert _rows(ours.fit_transform(["a,b,c,d", "b,,e"])) == _rows(theirs.fit_transform(["a,b,c,d", "b,,e"]))
    plain = cls(5, min_frequency=1)
    plain.fit(DOCS)
    plain.save(str(tmp_path / "vocab"))
    back = cls.restore(str(tmp_path / "vocab"))
    assert type(back) is cls and _rows(back.transform(LATER)) == _rows(plain.transform(LATER))


PROGRAM = """import numpy as np
import tensorflow as tf
from tensorflow.contrib import learn

texts = ["free prize call now", "call me later", "WIN a FREE prize now now", "see you at lunch",
         "HTTPServer isDown don't-panic now", "free free call"]
labels = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0]
vocab = learn.preprocessing.VocabularyProcessor(5, min_frequency=1)
vocab.transform(texts)
ids = np.array(list(vocab.fit_transform(texts)))
print(ids.tolist())
print("vocabulary", len(vocab.vocabulary_))
vocab.save(VOCAB_FILE)

x = tf.placeholder(tf.int32, [None, 5])
y = tf.placeholder(tf.float32, [None])
emb = tf.Variable(tf.ones([len(vocab.vocabulary_), 1]) * 0.1)
logit = tf.reduce_sum(tf.nn.embedding_lookup(emb, x), axis=[1, 2])
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logit))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(4):
        _, value = sess.run([train, loss], {x: ids, y: labels})
        print(step, round(float(value), 5))
    restored = tf.contrib.learn.preprocessing.VocabularyProcessor.restore(VOCAB_FILE)
    test = np.array(list(restored.transform(["free lunch now", "unknown words here", "call call"])))
    print(test.tolist())
    print(sess.run(logit, {x: test}).round(4).tolist())
"""
RUN_TF1 = """import runpy, sys
sys.path.insert(0, {root!r})
import tensorflow.compat.v1 as v1
v1.disable_v2_behavior()
sys.modules["tensorflow"] = v1
from tests.upgrader import vocabulary_reference
vocabulary_reference.install()
runpy.run_path({script!r}, run_name="__main__")
"""


def test_a_program_converts_and_prints_what_tf1_printed(oracle, tmp_path: Path) -> None:
    code = PROGRAM.replace("VOCAB_FILE", repr(str(tmp_path / "vocab")))
    result = upgrade_native(code)
    assert not [d.message for d in result.diagnostics if "native conversion blocked" in d.message]
    assert "import learn" not in result.code and "learn.preprocessing" not in result.code
    assert "class VocabularyProcessor:" in result.code
    assert "restored = VocabularyProcessor.restore(" in result.code and "import pickle\n" in result.code
    (tmp_path / "v1.py").write_text(code)
    (tmp_path / "v2.py").write_text(result.code)
    (tmp_path / "run_v1.py").write_text(RUN_TF1.format(root=str(ROOT), script=str(tmp_path / "v1.py")))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    one = warm_python.run([sys.executable, str(tmp_path / "run_v1.py")], capture_output=True, text=True, env=env,
                          timeout=300)
    two = warm_python.run([sys.executable, str(tmp_path / "v2.py")], capture_output=True, text=True, env=env,
                          timeout=300)
    ours = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(tmp_path / "v2.py")],
                           capture_output=True, text=True, env=env, timeout=300)   # and on tfcompat's v2 API
    assert one.returncode == two.returncode == ours.returncode == 0, one.stderr[-800:] + two.stderr[-800:]
    assert one.stdout == two.stdout == ours.stdout
    assert "vocabulary 5" in one.stdout   # now (4 uses), call, free (3; ties by name), prize (2), and <UNK>


def test_a_prebuilt_vocabulary_keeps_the_file_in_compat_form() -> None:
    code = PROGRAM.replace("VOCAB_FILE", "'vocab'").replace("(5, min_frequency=1)", "(5, vocabulary=learn.v)")
    reasons = [d.message for d in upgrade_native(code).diagnostics if "native conversion blocked" in d.message]
    assert reasons and "vocabulary=" in reasons[0]


def test_a_crlf_file_keeps_its_line_endings() -> None:
    code = PROGRAM.replace("VOCAB_FILE", "'vocab'").replace("\n", "\r\n")
    result = upgrade_native(code)
    helper = result.code[:result.code.index("yield word_ids")]   # NOTE: the rest is the native rewrite's own text
    assert "class VocabularyProcessor:\r\n" in helper and "\n" not in helper.replace("\r\n", "")
