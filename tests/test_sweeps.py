"""The `arithmetic_sweeps` report's rows: the source's tables as the catalogue holds them,
which rows a `rows` spec selects, the reduced epochs, and each row's model."""

import pytest

from kerasreports import catalog, sweeps
from kerasreports.errors import InvalidValueError
from kerasreports.models import arithmetic as models

SIZES = {"addsub": {"chars": 13, "query_length": 5, "answer_length": 3},
         "mul": {"chars": 12, "query_length": 5, "answer_length": 4}}


def test_the_catalogue_holds_every_row_of_the_sources_three_sweeps():
    tables = sweeps.ARITHMETIC_SWEEPS
    assert [len(tables[t].rows) for t in ("table2", "table3", "table5")] == [3, 10, 11]
    # Spot checks against seeds/001: each table's best row and its settings.
    assert tables["table3"].rows[9][:7] == (0.89, 0.93, 5, 100, 0.001, 16, 0.20)
    assert tables["table5"].rows[10][:7] == (0.88, 0.97, 6, 100, 0.001, 16, 0.20)
    assert tables["table2"].rows[1].learning_rate == 0.0001
    report = catalog.get("arithmetic_sweeps")
    headlines = {f.metric for f in report.source_figures if f.headline}
    assert {"table2_row3_test_char_accuracy", "table3_row10_test_char_accuracy",
            "table5_row11_test_char_accuracy"} <= headlines


def test_select_rows_reads_all_or_tables_and_rows_in_the_sources_order():
    assert len(sweeps.select_rows("all")) == 24
    assert sweeps.select_rows(" table5:11,10 ; table3:9 ") == [
        ("table3", 9), ("table5", 10), ("table5", 11)]
    assert sweeps.select_rows("table2:1;table2:1") == [("table2", 1)]


@pytest.mark.parametrize("spec, message", [
    ("table4:1", "unknown table 'table4'"),
    ("table2:4", "table2 has rows 1 to 3, not '4'"),
    ("table3:x", "table3 has rows 1 to 10, not 'x'"),
    ("", "names no row"),
])
def test_select_rows_refuses_what_is_not_a_row(spec, message):
    with pytest.raises(InvalidValueError, match=message):
        sweeps.select_rows(spec)


def test_scaled_epochs_keep_the_rows_order_and_at_least_one_epoch():
    assert [sweeps.scaled_epochs(e, 0.04) for e in (20, 25, 50, 100)] == [1, 1, 2, 4]
    assert sweeps.scaled_epochs(100, 1.0) == 100
    with pytest.raises(InvalidValueError, match="epoch_share"):
        sweeps.scaled_epochs(100, 0)


@pytest.mark.parametrize("table, number", [("table2", 1), ("table3", 1), ("table3", 10),
                                           ("table5", 1), ("table5", 2), ("table5", 8)])
def test_each_row_builds_the_layers_its_row_names(table, number):
    sweep = sweeps.ARITHMETIC_SWEEPS[table]
    row = sweep.rows[number - 1]
    model = sweeps.build(table, number, **SIZES[sweep.task])
    assert model.name == f"{table}_row{number}"
    assert model.output.shape == (None, SIZES[sweep.task]["answer_length"],
                                  SIZES[sweep.task]["chars"])
    if sweep.kind == "convlstm":
        assert model.get_layer("conv_lstm") is not None
        return
    lstms = [layer for layer in model.layers if layer.name.startswith(("encoder_lstm",
                                                                       "decoder_lstm"))]
    assert len(lstms) == row.lstm_layers
    first, rest = row.units
    assert lstms[-1].units == rest  # the decoder
    if row.lstm_layers > 2:
        assert lstms[0].units == first
    convolutions = [layer for layer in model.get_layer("read_images").layer.layers
                    if "conv2d" in layer.name]
    expected = (row.filters, 2 * row.filters) if isinstance(row.filters, int) else row.filters
    assert tuple(c.filters for c in convolutions) == tuple(expected)


def test_table3_row10_is_the_arithmetic_reports_model():
    # The same layers as the `arithmetic` report's TD-Conv model (2,328,845 parameters).
    assert sweeps.build("table3", 10, **SIZES["addsub"]).count_params() == \
        models.image2text_conv(**SIZES["addsub"]).count_params() == 2_328_845


def test_image_features_refuses_empty_or_fractional_filters():
    for filters in ((), (32, 0), 1.5):
        with pytest.raises(ValueError, match="filters must be"):
            models.image_features(filters=filters)


def test_text2image_dense_takes_an_extra_encoder_lstm():
    base, extra = models.text2image_dense(), models.text2image_dense(extra_layers=1)
    # The new first LSTM reads the query as the encoder did (276,480 parameters), and the
    # encoder now reads its 256 features: one LSTM(256) over 256 inputs more in all.
    assert extra.count_params() - base.count_params() == 4 * 256 * (256 + 256 + 1)
    assert extra.name == "text2image_dense_1_extra"
