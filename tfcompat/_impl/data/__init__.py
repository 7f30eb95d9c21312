"""`tf.data`: eager, pull-based input pipelines over NumPy arrays."""
