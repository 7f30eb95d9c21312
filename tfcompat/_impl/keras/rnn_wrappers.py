"""`tf.keras.layers.Bidirectional`: one RNN layer forwards and a copy of it backwards, outputs merged."""
from __future__ import annotations

from typing import Any

from ..._export import export
from .base_layer import Layer
from .common import tf

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


@export("keras.layers.Bidirectional")
class Bidirectional(Layer):
    """Runs `layer` over the sequence and `backward_layer` (by default `layer` rebuilt with `go_backwards`
    flipped) over it reversed; with return_sequences the backward outputs are reversed back, so step t of
    both describes input step t. merge_mode None returns [forward, backward] (then the states, forward first).
    """

    def __init__(self, layer: Any, merge_mode: str | None = "concat", weights: Any = None, backward_layer: Any = None,
                 **kwargs: Any) -> None:
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        if weights is not None:
            raise NotImplementedError("Bidirectional(weights=...) is not supported: call set_weights after building")
        if not hasattr(layer, "go_backwards") or not hasattr(layer, "return_sequences"):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.RNN` instance. "
                             f"Received: {layer}")
        super().__init__(**kwargs)
        if backward_layer is None:
            args, kw = layer.__dict__.get("_init_args", ((), {}))
            backward_layer = type(layer)(*args, **{**kw, "go_backwards": not layer.go_backwards,
                                                   "name": f"backward_{layer.name}"})
        elif backward_layer.go_backwards == layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value. "
                             f"Received: forward_layer.go_backwards {layer.go_backwards}, "
                             f"backward_layer.go_backwards={backward_layer.go_backwards}")
        self.forward_layer, self.backward_layer = layer, backward_layer
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        self.built = True   # NOTE: each direction builds itself on its first call

    def call(self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = None) -> Any:
        t = tf()
        kw: dict = {} if mask is None else {"mask": mask}
        if training is not None:
            kw["training"] = training
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, **kw)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kw)
        states: list = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = t.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            out: Any = t.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out
