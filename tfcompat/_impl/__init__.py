"""Implementation modules of the public API; each registers its names with `@export`."""
