"""kerasreports: published deep-learning reports as rerunnable Keras notebooks.

The science lives in `datasets` (loaders) and `models` (builders); notebooks call them and
hand their results to `record`; `run` and `cli` execute the notebooks with papermill.
"""

__version__ = "0.1.0"
