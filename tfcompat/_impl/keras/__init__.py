"""`tf.keras` (Keras 3 behaviour as shipped with TensorFlow 2.21) on tfcompat's engine.

Modules: common helpers, activations/initializers/regularizers, layers (base, core,
conv, rnn), functional graphs, models and training, losses, metrics, optimizers,
schedules, callbacks, weight files. Public names are declared with `@export`.
"""
