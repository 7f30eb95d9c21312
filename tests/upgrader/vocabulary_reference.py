"""An independent model of TF 1.15's tf.contrib.learn.preprocessing.VocabularyProcessor, the oracle for the
class native mode writes into converted programs (upgrader/native/vocabulary.py): tf.contrib is gone from
every TensorFlow that installs today, so its behaviour is restated here from TF 1.15's source, structured as
TF 1.15 structured it (a processor over a categorical vocabulary with its own id table, counts and freeze).

    install()   # makes `from tensorflow.contrib import learn` and `tf.contrib.learn...` resolve to this model
"""
from __future__ import annotations

import pickle
import re
import sys
import types

import numpy as np

SPLIT = re.compile("|".join([r"[A-Z]{2,}(?![a-z])",     # an upper-case run not starting a capitalised word
                             r"[A-Z][a-z]+(?=[A-Z])",    # a capitalised word running into the next one
                             r"['\w\-]+"]), re.UNICODE)  # otherwise: letters, digits, _, ' and -


class Categories:
    """TF 1.15's CategoricalVocabulary: ids handed out on lookup until frozen; counts; trimming."""

    UNKNOWN = "<UNK>"

    def __init__(self) -> None:
        self.ids = {self.UNKNOWN: 0}
        self.names = [self.UNKNOWN]
        self.freq: dict = {}
        self.is_frozen = False

    def __len__(self) -> int:
        return len(self.ids)

    def freeze(self, freeze: bool = True) -> None:
        self.is_frozen = freeze

    def get(self, word) -> int:
        if word in self.ids:
            return self.ids[word]
        if self.is_frozen:
            return 0
        self.ids[word] = len(self.ids)
        self.names.append(word)
        return self.ids[word]

    def add(self, word, count: int = 1) -> None:
        if self.get(word) > 0:
            self.freq[word] = self.freq.get(word, 0) + count

    def trim(self, min_frequency: int) -> None:
        by_name = sorted(self.freq.items(), key=lambda item: (isinstance(item[0], str), item[0]))
        by_count = sorted(by_name, key=lambda item: -item[1])   # stable: equal counts stay in name order
        kept = []
        for word, count in by_count:
            if count <= min_frequency:
                break
            kept.append((word, count))
        self.ids = {self.UNKNOWN: 0}
        self.names = [self.UNKNOWN]
        for word, _ in kept:
            self.ids[word] = len(self.names)
            self.names.append(word)
        self.freq = dict(kept)

    def reverse(self, class_id: int):
        return self.names[class_id]


def _split(documents):
    for document in documents:
        yield SPLIT.findall(document)


class VocabularyProcessor:
    def __init__(self, max_document_length, min_frequency=0, vocabulary=None, tokenizer_fn=None):
        self.max_document_length = max_document_length
        self.min_frequency = min_frequency
        self.vocabulary_ = vocabulary if vocabulary else Categories()
        self._tokenizer = tokenizer_fn if tokenizer_fn else _split

    def fit(self, raw_documents, unused_y=None):
        for words in self._tokenizer(raw_documents):
            for word in words:
                self.vocabulary_.add(word)
        if self.min_frequency > 0:
            self.vocabulary_.trim(self.min_frequency)
        self.vocabulary_.freeze()
        return self

    def fit_transform(self, raw_documents, unused_y=None):
        return self.fit(raw_documents).transform(raw_documents)

    def transform(self, raw_documents):
        for words in self._tokenizer(raw_documents):
            row = np.zeros(self.max_document_length, np.int64)
            for position, word in enumerate(words):
                if position >= self.max_document_length:
                    break
                row[position] = self.vocabulary_.get(word)
            yield row

    def reverse(self, documents):
        for item in documents:
            yield " ".join(self.vocabulary_.reverse(i) for i in item)

    def save(self, filename):
        with open(filename, "wb") as f:
            f.write(pickle.dumps(self))

    @classmethod
    def restore(cls, filename):
        with open(filename, "rb") as f:
            return pickle.loads(f.read())


def install() -> None:
    """Make tensorflow.contrib.learn.preprocessing.VocabularyProcessor this model (after tensorflow is bound)."""
    preprocessing = types.ModuleType("tensorflow.contrib.learn.preprocessing")
    preprocessing.VocabularyProcessor = VocabularyProcessor
    learn = types.ModuleType("tensorflow.contrib.learn")
    learn.preprocessing = preprocessing
    contrib = types.ModuleType("tensorflow.contrib")
    contrib.learn = learn
    sys.modules.update({"tensorflow.contrib": contrib, "tensorflow.contrib.learn": learn,
                        "tensorflow.contrib.learn.preprocessing": preprocessing})
    sys.modules["tensorflow"].contrib = contrib
