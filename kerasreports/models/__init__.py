"""Keras model builders, one module per report family.

Every builder is a pure function with keyword-only hyperparameters whose defaults are the
source's architecture, returns an uncompiled `keras.Model`, and uses `keras` / `keras.ops`
only, so it runs on the TensorFlow, JAX and PyTorch backends alike. Each is importable
from this package (`from kerasreports.models import dense_dae, stacked_rnn`) as from its
module (`kerasreports.models.autoencoders.dense_dae`); `BUILDERS` lists them by family.
"""

# The builders, importable from here (`from kerasreports.models import dense_dae`), each
# from the module of its report family. Loaded on first use (PEP 562), so that importing
# the package does not import Keras and every model family at once.
BUILDERS = {
    "arithmetic": ("text2text", "image2text_convlstm", "image2text_conv", "image_features",
                   "character_classifier", "read_then_compute", "text2image_dense",
                   "text2image_conv"),
    "autoencoders": ("dense_dae", "probe_classifier", "encoder_of"),
    "dirty_documents": ("source_autoencoder", "page_denoiser"),
    "fast_cifar": ("airbench_net",),
    "image_classification": ("lenet", "lenet_bn", "lenet_dropout", "lenet_l2",
                             "lenet_bn_dropout", "super_lenet", "super_lenet_wrong_init",
                             "resnet", "resnet_dropout", "super_resnet",
                             "super_resnet_wrong_init"),
    "language": ("names_source_rnn", "names_rnn", "word_model1", "word_model2",
                 "sentiment_lstm", "sentiment_fasttext", "seq2seq"),
    "noise2noise": ("source_denoiser", "keras_twin", "unet"),
    "translation": ("stacked_rnn", "embedding_bidirectional"),
}
_MODULE_OF = {name: module for module, names in BUILDERS.items() for name in names}
# No __all__: with one, `from kerasreports.models import *` would import every family, and
# pdoc (the API reference) would look for the builders here rather than in their modules.


def __getattr__(name: str):
    if name in _MODULE_OF:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_MODULE_OF))
