"""Keras model builders, one module per report family.

Every builder is a pure function with keyword-only hyperparameters whose defaults are the
source's architecture, returns an uncompiled `keras.Model`, and uses `keras` / `keras.ops`
only, so it runs on the TensorFlow, JAX and PyTorch backends alike.
"""
