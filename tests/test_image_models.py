"""R5 image_classification: the source's LeNet and ResNet34 families (`seeds/002_*`)."""

import math

import keras
import numpy as np
import pytest

from kerasreports.models import image_classification as ic

CE = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

# Source Tables 1-2 (trainable parameters; PyTorch's count)
LENET_COUNTS = {
    10: {"lenet": 62_006, "lenet_bn": 62_458, "lenet_dropout": 62_006,
         "lenet_bn_dropout": 62_458, "lenet_l2": 62_006,
         "super_lenet_wrong_init": 62_458, "super_lenet": 62_458},
    200: {"lenet": 83_072, "lenet_bn": 83_116, "lenet_dropout": 83_072,
          "lenet_bn_dropout": 83_116, "lenet_l2": 83_072,
          "super_lenet_wrong_init": 83_116, "super_lenet": 83_116},
}
RESNET34_CIFAR10 = 21_286_346  # Table 3
RESNET34_TINYIMAGENET = 21_383_816  # Table 4
RESNET34_WITHOUT_FIRST_PROJECTION = 21_282_122  # torchvision's layout
# A short, narrow ResNet with every code path of ResNet34 (projections, strides, dropout,
# augmentation, init), for the behaviours that do not need 21M parameters.
SHALLOW = {"blocks": (1, 1, 1, 1), "width": 16}

# The source's listings, transcribed (Figs. 1-6): our models must read the same.
CONV = ["Conv2d(6,5x5)", "act", "AvgPool2d", "Conv2d(16,5x5)", "act", "AvgPool2d"]
LISTINGS = {
    "lenet": ["Conv2d(6,5x5)", "Tanh", "AvgPool2d", "Conv2d(16,5x5)", "Tanh", "AvgPool2d",
              "Flatten", "Linear(120)", "Tanh", "Linear(84)", "Tanh", "Linear(10)"],
    "lenet_bn": ["Conv2d(6,5x5)", "Tanh", "BatchNorm", "AvgPool2d",
                 "Conv2d(16,5x5)", "Tanh", "BatchNorm", "AvgPool2d", "Flatten",
                 "Linear(120)", "Tanh", "BatchNorm", "Linear(84)", "Tanh", "BatchNorm",
                 "Linear(10)"],
    "lenet_dropout": ["Dropout(0.2)", "Conv2d(6,5x5)", "Tanh", "Dropout(0.5)", "AvgPool2d",
                      "Conv2d(16,5x5)", "Tanh", "Dropout(0.5)", "AvgPool2d", "Flatten",
                      "Linear(120)", "Tanh", "Dropout(0.5)", "Linear(84)", "Tanh",
                      "Dropout(0.5)", "Linear(10)"],
    "lenet_bn_dropout": ["Dropout(0.2)", "Conv2d(6,5x5)", "Tanh", "BatchNorm",
                         "Dropout(0.5)", "AvgPool2d", "Conv2d(16,5x5)", "Tanh",
                         "BatchNorm", "Dropout(0.5)", "AvgPool2d", "Flatten",
                         "Linear(120)", "Tanh", "BatchNorm", "Dropout(0.2)", "Linear(84)",
                         "Tanh", "BatchNorm", "Dropout(0.2)", "Linear(10)"],
    "super_lenet": ["Conv2d(6,5x5)", "LeakyReLU(0.01)", "BatchNorm", "AvgPool2d",
                    "Conv2d(16,5x5)", "LeakyReLU(0.01)", "BatchNorm", "Dropout(0.2)",
                    "AvgPool2d", "Flatten", "Linear(120)", "LeakyReLU(0.01)", "BatchNorm",
                    "Linear(84)", "LeakyReLU(0.01)", "BatchNorm", "Linear(10)"],
}
LISTINGS["lenet_l2"] = LISTINGS["lenet"]  # Fig. 4: LeNet's layers
LISTINGS["super_lenet_wrong_init"] = LISTINGS["super_lenet"]


def images(n, size=32, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3)).astype("float32")


def labels(n, classes, seed=1):
    return np.random.default_rng(seed).integers(0, classes, n)


def listing(model):
    """The model as the source's PyTorch listing would print it (weightless input
    layers, resize and normalisation, left out)."""
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            rows.append(f"Conv2d({layer.filters},{'x'.join(map(str, layer.kernel_size))})")
        elif kind == "Dense":
            rows.append(f"Linear({layer.units})")
        elif kind == "Activation":
            rows.append(layer.activation.__name__.capitalize())
        elif kind == "LeakyReLU":
            rows.append(f"LeakyReLU({layer.negative_slope:g})")
        elif kind == "BatchNormalization":
            rows.append("BatchNorm")
        elif kind == "Dropout":
            rows.append(f"Dropout({layer.rate:g})")
        elif kind == "AveragePooling2D":
            assert layer.pool_size == (2, 2) and layer.strides == (2, 2)
            rows.append("AvgPool2d")
        elif kind == "Flatten":
            rows.append("Flatten")
    return rows


def initial_loss(model, x, y):
    # The first training batch's loss: BatchNorm in training mode, as the source's
    # numbers imply (module docstring of image_classification).
    return float(CE(y, model(x, training=True)))


def assert_initial_loss(name, loss, classes):
    if name.endswith("wrong_init"):
        # source: SuperLeNet 18.45, SuperResNet 40.15 (CIFAR-10), 36.07 and 56.81 (200)
        assert loss > 5
    elif name.startswith("super"):
        # Kaiming: BatchNorm'd features into a gain-1 output layer give logits of
        # variance ~1, whose expected cross-entropy is ln 10 + 0.43 on random labels.
        assert abs(loss - math.log(classes)) < 0.75
    else:
        assert abs(loss - math.log(classes)) < 0.5  # PyTorch's init: small logits


@pytest.fixture(scope="module")
def resnet34():
    return ic.resnet()


@pytest.fixture(scope="module")
def super_resnet34_tinyimagenet():
    return ic.super_resnet(classes=200)


@pytest.mark.parametrize("classes", [10, 200])
@pytest.mark.parametrize("name", ic.LENETS)
def test_lenets_have_the_source_parameter_counts(name, classes):
    model = ic.build(name, classes=classes)
    assert ic.trainable_count(model) == LENET_COUNTS[classes][name]
    size = 32 if classes == 10 else 64
    assert model.input_shape == (None, size, size, 3)
    assert model.output_shape == (None, classes)
    assert model.name == name


@pytest.mark.parametrize("name", ic.LENETS)
def test_lenets_read_as_the_source_listings(name):
    assert listing(ic.build(name)) == LISTINGS[name]


def test_tinyimagenet_lenets_resize_to_32_and_have_one_linear_layer():
    model = ic.lenet_bn(classes=200)
    assert model.get_layer("resize").output.shape[1:3] == (32, 32)
    assert listing(model) == ["Conv2d(6,5x5)", "Tanh", "BatchNorm", "AvgPool2d",
                              "Conv2d(16,5x5)", "Tanh", "BatchNorm", "AvgPool2d",
                              "Flatten", "Linear(200)"]
    assert model.get_layer("fc").kernel.shape == (400, 200)
    assert model(images(2, 64), training=False).shape == (2, 200)


def test_resnet34_has_the_source_count_and_shapes(resnet34):
    assert ic.trainable_count(resnet34) == RESNET34_CIFAR10
    assert resnet34.output_shape == (None, 10)
    names = {layer.name for layer in resnet34.layers}
    for stage, blocks in enumerate((3, 4, 6, 3), start=1):
        assert f"stage{stage}_block{blocks}_conv2" in names
        assert f"stage{stage}_block{blocks + 1}_conv1" not in names
        # a projection on the first block of every stage, the first one included
        assert f"stage{stage}_block1_shortcut_conv" in names
        assert f"stage{stage}_block2_shortcut_conv" not in names
    assert resnet34.get_layer("stage1_block1_shortcut_conv").kernel.shape == (1, 1, 64, 64)
    assert resnet34.get_layer("fc").kernel.shape == (512, 10)
    convs = [layer for layer in resnet34.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 1 + 2 * 16 + 4 and not any(c.use_bias for c in convs)
    assert resnet34.get_layer("stage4_block3_relu2").output.shape[1:] == (4, 4, 512)


def test_super_resnet34_on_tinyimagenet_has_the_source_count(super_resnet34_tinyimagenet):
    model = super_resnet34_tinyimagenet
    assert ic.trainable_count(model) == RESNET34_TINYIMAGENET
    assert model.input_shape == (None, 64, 64, 3) and model.output_shape == (None, 200)
    assert model.get_layer("stage4_block3_relu2").output.shape[1:] == (8, 8, 512)


@pytest.mark.parametrize("name", ["resnet_dropout", "super_resnet_wrong_init",
                                  "super_resnet"])
def test_resnet_variants_have_resnets_weights(name):
    # They differ from `resnet` only by weightless layers and initialisers, so the same
    # weight shapes (checked on a shallow net) give them Table 3's count as well.
    shapes = [tuple(w.shape) for w in ic.resnet(**SHALLOW).trainable_weights]
    variant = ic.build(name, **SHALLOW)
    assert [tuple(w.shape) for w in variant.trainable_weights] == shapes


def test_without_the_first_stage_projection_it_is_torchvisions_count():
    short = {"blocks": (1, 1, 1, 1)}
    difference = (ic.trainable_count(ic.resnet(**short))
                  - ic.trainable_count(ic.resnet(**short, first_stage_projection=False)))
    assert difference == 64 * 64 + 2 * 64  # one 1x1 conv 64->64 and its BatchNorm
    assert RESNET34_CIFAR10 - difference == RESNET34_WITHOUT_FIRST_PROJECTION


@pytest.mark.parametrize("classes, mean, std", [(10, ic.CIFAR10_MEAN, ic.CIFAR10_STD),
                                                (200, ic.IMAGENET_MEAN, ic.IMAGENET_STD)])
def test_the_normalisation_is_fixed_and_adds_no_weights(classes, mean, std):
    model = ic.lenet(classes=classes)
    layer = model.get_layer("normalize")
    assert layer.weights == []
    x = images(2, 4)
    expected = (x / 255 - np.array(mean)) / np.array(std)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, atol=1e-5)


def test_augmentation_only_in_training(super_resnet34_tinyimagenet):
    model = super_resnet34_tinyimagenet
    augment = model.get_layer("augment")
    assert augment.weights == [] and model.get_layer("normalize").weights == []
    x = images(4, 64)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(augment(x)), x)
    assert np.abs(keras.ops.convert_to_numpy(augment(x, training=True)) - x).mean() > 1
    first, second = (keras.ops.convert_to_numpy(model(x[:2], training=False))
                     for _ in range(2))
    np.testing.assert_array_equal(first, second)


def test_the_crop_is_a_shift_of_at_most_4_pixels_per_image():
    layer = ic.augmentation(seed=0).augmentations[1]  # flip, crop, jitter
    x = np.zeros((8, 32, 32, 1), "float32")
    x[:, 16, 16] = 1
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    shifts = [tuple(np.argwhere(image[..., 0] > 0.5)[0] - 16) for image in out]
    assert max(max(abs(dy), abs(dx)) for dy, dx in shifts) <= 4
    assert len(set(shifts)) > 1  # per image, not one crop for the batch


@pytest.mark.parametrize("model", ["lenet_bn", "resnet"])
def test_batchnorm_is_pytorchs(model, resnet34):
    model = resnet34 if model == "resnet" else ic.lenet_bn()
    bns = [lr for lr in model.layers if isinstance(lr, keras.layers.BatchNormalization)]
    assert bns and all(bn.momentum == 0.9 and bn.epsilon == 1e-5 for bn in bns)


@pytest.mark.parametrize("classes", [10, 200])
@pytest.mark.parametrize("name", ic.LENETS)
def test_lenets_initial_loss(name, classes):
    size = 32 if classes == 10 else 64
    model = ic.build(name, classes=classes)
    loss = initial_loss(model, images(256, size), labels(256, classes))
    assert_initial_loss(name, loss, classes)


def test_resnet34_initial_loss(resnet34):
    # PyTorch's default init: near ln 10 even without BatchNorm's batch statistics.
    assert abs(float(CE(labels(16, 10), resnet34(images(16), training=False)))
               - math.log(10)) < 0.5


@pytest.mark.parametrize("name", ["resnet", "resnet_dropout", "super_resnet",
                                  "super_resnet_wrong_init"])
def test_shallow_resnets_initial_loss(name):
    loss = initial_loss(ic.build(name, **SHALLOW), images(64), labels(64, 10))
    assert_initial_loss(name, loss, 10)


def test_initialisers_follow_their_scheme():
    torch_init, kaiming, wrong = (ic.build(n) for n in ("lenet", "super_lenet",
                                                        "super_lenet_wrong_init"))
    for layer, fan_in in (("conv1", 75), ("conv2", 150), ("fc1", 400), ("fc3", 84)):
        bound = 1 / math.sqrt(fan_in)
        for w in torch_init.get_layer(layer).weights:  # kernel and bias: U(+-bound)
            w = keras.ops.convert_to_numpy(w)
            assert np.abs(w).max() <= bound
        kernel = keras.ops.convert_to_numpy(torch_init.get_layer(layer).kernel)
        assert kernel.std() == pytest.approx(bound / math.sqrt(3), rel=0.15)
    fc1 = keras.ops.convert_to_numpy(kaiming.get_layer("fc1").kernel)
    assert fc1.std() == pytest.approx(math.sqrt(2 / (1 + 0.01**2) / 400), rel=0.02)
    fc3 = keras.ops.convert_to_numpy(kaiming.get_layer("fc3").kernel)
    assert fc3.std() == pytest.approx(1 / math.sqrt(84), rel=0.1)  # logits: gain 1
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(kaiming.get_layer("fc1").bias),
                                  np.full(120, 0.01, "float32"))
    conv2 = keras.ops.convert_to_numpy(wrong.get_layer("conv2").kernel)
    assert conv2.std() == pytest.approx(1.0, rel=0.05)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(wrong.get_layer("conv2").bias),
                                  np.full(16, 0.1, "float32"))


@pytest.mark.parametrize("name, weight_decay", [("lenet_l2", 5e-4),
                                                ("super_resnet", 0.01)])
def test_weight_decay_is_pytorchs_on_every_parameter(name, weight_decay):
    options = SHALLOW if "resnet" in name else {}
    model = ic.build(name, **options)
    penalty = sum(float(loss) for loss in model.losses)
    squares = sum(float(np.sum(keras.ops.convert_to_numpy(w) ** 2))
                  for w in model.trainable_weights)
    assert penalty == pytest.approx(weight_decay / 2 * squares, rel=1e-4)
    assert ic.lenet().losses == []


def test_builders_are_deterministic_per_seed():
    x = images(8)

    def run(name, seed, **options):
        model = ic.build(name, seed=seed, **options)
        weights = [keras.ops.convert_to_numpy(w) for w in model.weights]
        return weights, keras.ops.convert_to_numpy(model(x, training=True))

    for name, options in (("lenet_bn_dropout", {}), ("super_resnet", SHALLOW)):
        (w1, out1), (w2, out2), (w3, _) = (run(name, s, **options) for s in (3, 3, 4))
        for a, b in zip(w1, w2):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(out1, out2)  # dropout and augmentation seeded too
        assert any(not np.array_equal(a, b) for a, b in zip(w1, w3))


def test_registry():
    assert ic.VARIANTS == ("lenet", "lenet_bn", "lenet_dropout", "lenet_bn_dropout",
                           "lenet_l2", "super_lenet_wrong_init", "super_lenet", "resnet",
                           "resnet_dropout", "super_resnet_wrong_init", "super_resnet")
    assert tuple(ic.SOURCE_NAMES) == ic.VARIANTS
    assert ic.SOURCE_NAMES["lenet_l2"] == "LeNet with L2 weight decay"
    with pytest.raises(ValueError, match=r"unknown image_classification model 'vgg16'.*"
                                         r"lenet, lenet_bn, .*super_resnet"):
        ic.build("vgg16")


@pytest.mark.parametrize("options, match", [
    ({"init": "xavier"}, "unknown init 'xavier'"),
    ({"dropout": (0.2, 0.5)}, "five rates"),
    ({"weight_decay": -1}, "weight_decay must be >= 0"),
    ({"classes": 1}, "classes must be at least 2"),
])
def test_bad_options_are_refused(options, match):
    with pytest.raises(ValueError, match=match):
        ic.lenet(**options)
