"""Native mode keeps TF1 calls whose TF2 function has the same name (once `native/equivalents.py` made them exact)."""
from __future__ import annotations

from upgrader.native.base import NativeRule
from upgrader.native.equivalents import SAME_NAME


class NativeEquivalents(NativeRule):
    """Switch off the compat rename of calls that native mode already rewrote into their TF2 form.

    tf.nn.embedding_lookup(emb, ids, partition_strategy="div")  ->  tf.nn.embedding_lookup(emb, ids)
    (compat mode: tf.compat.v1.nn.embedding_lookup(emb, ids, partition_strategy="div"))

    `native.equivalents.swap` runs before the analysis; a call it cannot make exact (a list of
    shards) blocks native conversion, so every call left here has its TF2 meaning.
    """

    DESCRIPTION = "TF1 calls with an exact TF2 form of the same name (embedding_lookup, nce_loss) keep that name"
    OWNS = SAME_NAME
