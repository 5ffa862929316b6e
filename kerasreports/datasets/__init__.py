"""Data set loaders. Each returns NumPy arrays; `store` finds and verifies the files."""
