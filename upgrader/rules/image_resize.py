"""`tf.image.resize*` keep v1 values: TF2's resize samples at half-pixel centres."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

RESIZES = {"tf.image.resize": "tf.compat.v1.image.resize", "tf.image.resize_images": "tf.compat.v1.image.resize",
           **{f"tf.image.resize_{m}": f"tf.compat.v1.image.resize_{m}"
              for m in ("bilinear", "nearest_neighbor", "bicubic", "area", "image_with_pad")}}


class ImageResize(Rule):
    """Map v1 resizes onto tf.compat.v1.image, which still computes v1's values.

    tf.image.resize_images(img, [64, 64])  ->  tf.compat.v1.image.resize(img, [64, 64])
    """

    DESCRIPTION = "tf.image.resize_* -> tf.compat.v1.image (TF2 tf.image.resize gives different values)"
    PRIORITY = 20
    OWNS = frozenset(RESIZES)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        key = self.key(original)
        if key not in RESIZES:
            return updated
        self.change(f"{key} -> {RESIZES[key]}")
        self.warn("tf.image.resize in TF2 uses half-pixel centres and antialias options; "
                  "kept tf.compat.v1.image to preserve results", once=True)
        return self.ctx.expr(RESIZES[key]).with_changes(lpar=updated.lpar, rpar=updated.rpar)
