import numpy as np
import pytest

from kerasreports.models import autoencoders

# The source's summary table (seeds/004_*, section 2), in order.
SOURCE_DAE_LAYERS = [
    ("input_4", 0), ("Encoder", 401920), ("batch_normalization_21", 2048),
    ("dropout_10", 0), ("leaky_re_lu_21", 0), ("dense_23", 262656),
    ("batch_normalization_22", 2048), ("dropout_11", 0), ("leaky_re_lu_22", 0),
    ("dense_24", 131328), ("batch_normalization_23", 1024), ("leaky_re_lu_23", 0),
    ("BottleNeck", 50372), ("Decoder", 50432), ("batch_normalization_24", 1024),
    ("leaky_re_lu_24", 0), ("dense_25", 131584), ("batch_normalization_25", 2048),
    ("leaky_re_lu_25", 0), ("dense_26", 402192),
]


def test_dae_matches_the_source_summary_layer_by_layer():
    dae = autoencoders.dense_dae()
    ours = [(layer.name, layer.count_params()) for layer in dae.layers]
    assert ours == SOURCE_DAE_LAYERS
    assert autoencoders.parameter_counts(dae) == {
        "total": 1_438_676, "trainable": 1_434_580, "non_trainable": 4_096}
    assert dae.output_shape == (None, 784)


def test_encoder_shares_the_dae_weights_and_outputs_196_codes():
    dae = autoencoders.dense_dae()
    encoder = autoencoders.encoder_of(dae)
    assert encoder.output_shape == (None, 196)
    assert encoder.get_layer("Encoder") is dae.get_layer("Encoder")


@pytest.mark.parametrize("input_dim, total", [(196, 15_146), (784, 52_778)])
def test_probe_head_parameter_counts(input_dim, total):
    probe = autoencoders.probe_classifier(input_dim=input_dim)
    counts = autoencoders.parameter_counts(probe)
    assert counts["total"] == total
    assert counts["non_trainable"] == 64  # BatchNormalization(32) moving statistics
    assert [l.name for l in probe.layers][1:] == [
        "dense_56", "dropout_13", "dense_57", "dropout_14", "batch_normalization_36",
        "dense_58"]


def test_one_training_step_on_tiny_data_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (64, 784)).astype("float32")
    dae = autoencoders.dense_dae()
    dae.compile(optimizer="adam", loss="mse")
    losses = [float(dae.train_on_batch(x, x)) for _ in range(10)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
