"""File formats and host I/O: checkpoints, event files, gfile, flags, logging, MNIST."""
