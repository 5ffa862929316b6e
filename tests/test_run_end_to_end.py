"""`kerasreports run` executing real notebooks with papermill, as a user runs it."""

import base64
import json
import os
import re
import subprocess
import sys

import nbformat
import pytest

from kerasreports import catalog, cli, outputs
from fake_reports import fake_report, write_notebook  # noqa: E402

pytestmark = pytest.mark.notebook

# TensorFlow's C++ logging (absl): "I0000 00:00:1795... 2337 port.cc:153] ..."
TF_CPP_LOG_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ \w+\.cc:\d+\]", re.M)


@pytest.fixture(scope="module")
def smoke_reports(tmp_path_factory):
    """`kerasreports run --profile smoke` (every report), in a subprocess like a user's,
    from a folder of its own and with the default, relative, output folder."""
    cwd = tmp_path_factory.mktemp("user")
    env = {**os.environ, "KERASREPORTS_OFFLINE": "1"}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # let TensorFlow log as it does for a user
    done = subprocess.run(
        [sys.executable, "-m", "kerasreports.cli", "run", "--profile", "smoke"],
        capture_output=True, text=True, env=env, timeout=900, cwd=cwd)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return cwd / "reports" / "smoke", done


def test_smoke_run_writes_every_report(smoke_reports):
    out, done = smoke_reports
    for name in catalog.REPORTS:
        folder = out / name
        for file in (f"{name}.ipynb", f"{name}.html", "metrics.json", "summary.md"):
            assert (folder / file).is_file(), file
        assert list((folder / "figures").glob("*.png"))
        assert not (folder / "failed.ipynb").exists()
    assert (out / "index.html").is_file() and (out / "README.md").is_file()
    assert f"Reports: {out}" in done.stdout
    assert not (out.parent / "mnist_dae").exists()  # smoke never replaces real-data reports


def test_progress_shows_reports_and_keras_epochs(smoke_reports):
    _, done = smoke_reports
    assert "=== mnist_dae (smoke profile)" in done.stdout
    assert re.search(r"Epoch 2/2", done.stdout)
    assert re.search(r"\d+/\d+ - \d+s - .*loss: \d", done.stdout)


def test_the_terminal_shows_the_notebooks_output_not_the_noise(smoke_reports):
    """papermill's cell banners and rich-output reprs, TensorFlow's known-harmless
    start-up lines and ipykernel's TCP warning stay out (kerasreports.terminal)."""
    _, done = smoke_reports
    both = done.stdout + done.stderr
    for noise in ("Executing Cell", "Ending Cell", "<Figure size", "<IPython.core.display",
                  "Input Notebook:", "running over TCP without encryption",
                  "oneDNN custom operations are on", "This TensorFlow binary is optimized",
                  "use_unbounded_threadpool"):
        assert noise not in both, noise
    assert "probe on codes (15,146 parameters)" in done.stdout  # the notebook's own print


def test_each_figure_is_shown_once_in_the_executed_notebook(smoke_reports):
    """Each saved figure appears exactly once among the notebook's images (the saved PNG
    itself), and no image twice (a search summary's objective figure may come besides)."""
    out, _ = smoke_reports
    for name in catalog.REPORTS:
        notebook = nbformat.read(out / name / f"{name}.ipynb", as_version=4)
        shown = [output["data"]["image/png"].replace("\n", "")
                 for cell in notebook.cells for output in cell.get("outputs", [])
                 if "image/png" in output.get("data", {})]
        assert len(shown) == len(set(shown)), name
        for figure in (out / name / "figures").glob("*.png"):
            encoded = base64.b64encode(figure.read_bytes()).decode()
            assert shown.count(encoded) == 1, (name, figure.name)


def test_metrics_json_records_the_run(smoke_reports):
    out, _ = smoke_reports
    record = json.loads((out / "mnist_dae" / "metrics.json").read_text())
    assert record["profile"] == "smoke" and record["seed"] == 0
    assert record["parameters"]["generated_data"] is True
    env = record["environment"]
    assert env["backend"] == "tensorflow" and env["device"] and env["git_revision"]
    assert {"keras", "tensorflow", "numpy"} <= set(env["packages"])
    assert record["wall_time_s"] > 0
    m = record["metrics"]
    assert (m["dae_params_total"], m["dae_params_trainable"], m["dae_params_non_trainable"],
            m["probe_params"]) == (1_438_676, 1_434_580, 4_096, 15_146)
    for p in (0.05, 0.1, 0.2, 0.3, 0.4):
        assert 0 < m[f"test_loss_mean_p{p}"] < 1
    # the six readings of the source's uniform noise, and the sentence naming the best fit
    from kerasreports.datasets import noise

    fits = {kind: m[f"noise_{kind}_fit_rms_log_ratio"] for kind in noise.UNIFORM_NOISE}
    best = min(fits, key=fits.get)
    assert m["noise_best_fit"] == best
    summary = (out / "mnist_dae" / "summary.md").read_text()
    assert (f"best fits the source's printed losses is {best} "
            f"({noise.UNIFORM_NOISE[best]}), RMS log ratio {fits[best]:.2f}") in summary
    assert 0 <= m["dae_final_val_accuracy"] <= 1 and m["probe_codes_test_loss"] > 0
    assert 0 <= m["probe_codes_test_accuracy"] <= 1
    rows = {r["quantity"]: r for r in record["source_vs_regenerated"]}
    assert rows["DAE parameters, total"]["difference"] == 0


def test_summary_and_index_show_source_beside_regenerated(smoke_reports):
    out, _ = smoke_reports
    summary = (out / "mnist_dae" / "summary.md").read_text()
    assert "| DAE parameters, total | 1,438,676 | 1,438,676 | 0 |" in summary
    assert "Profile **smoke**" in summary and "not comparable" in summary
    for png in re.findall(r"\(figures/([^)]+)\)", summary):
        assert (out / "mnist_dae" / "figures" / png).is_file()
    index = (out / "README.md").read_text()
    assert "[mnist_dae](mnist_dae/summary.md)" in index and "(source 0.8752)" in index


def test_tensorflow_cpp_logs_stay_out_of_the_report(smoke_reports):
    out, done = smoke_reports
    executed = nbformat.read(out / "mnist_dae" / "mnist_dae.ipynb", as_version=4)
    texts = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert texts, "the executed notebook has no outputs at all"
    assert not TF_CPP_LOG_LINE.search("\n".join(texts))


def test_same_seed_same_metrics(smoke_reports, tmp_path):
    first, _ = smoke_reports
    assert cli.main(["run", "mnist_dae", "--output", str(tmp_path)]) == 0
    metrics = [json.loads((root / "mnist_dae" / "metrics.json").read_text())["metrics"]
               for root in (first, tmp_path)]
    assert metrics[0] == metrics[1]




def test_a_failing_report_keeps_the_old_one_and_the_others_still_run(
        tmp_path, monkeypatch, capsys):
    out = outputs.claim(tmp_path / "reports")  # an earlier run's folder
    (out / "breaks").mkdir(parents=True)
    (out / "breaks" / "summary.md").write_text("the previous good report\n")
    breaks = fake_report("breaks", write_notebook(
        tmp_path / "breaks.ipynb", "print('training...')\nraise ValueError('loss is nan')"))
    works = fake_report("works", write_notebook(
        tmp_path / "works.ipynb",
        "import os\nopen(os.path.join(output_dir, 'summary.md'), 'w').write('new')\n"
        "open(os.path.join(output_dir, 'metrics.json'), 'w').write('{}')"))
    monkeypatch.setattr(catalog, "REPORTS", {"breaks": breaks, "works": works})

    assert cli.main(["run", "--output", str(out)]) == cli.EXIT_FAILED
    stdout = capsys.readouterr().out
    assert re.search(r"^breaks +FAILED", stdout, re.M)
    assert "cell 2 (In [3]), which begins `print('training...')` raised ValueError: loss is nan" \
        in stdout
    assert (out / "breaks" / "summary.md").read_text() == "the previous good report\n"
    failed = nbformat.read(out / "breaks" / "failed.ipynb", as_version=4)
    assert "training..." in str(failed.cells[-1].outputs)
    assert (out / "works" / "summary.md").read_text() == "new"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        outputs.LOCK, outputs.MARKER]  # no temp folders left


def test_a_notebook_that_writes_no_metrics_is_a_failure(tmp_path, monkeypatch, capsys):
    silent = fake_report("silent", write_notebook(tmp_path / "silent.ipynb", "print('done?')"))
    monkeypatch.setattr(catalog, "REPORTS", {"silent": silent})
    assert cli.main(["run", "--output", str(tmp_path / "reports")]) == cli.EXIT_FAILED
    assert "finished without writing metrics.json, summary.md" in capsys.readouterr().out
    assert not (tmp_path / "reports" / "silent" / "summary.md").exists()


def test_missing_data_fails_the_report_with_the_loader_message(
        tmp_path, no_data_anywhere, capsys):
    out = tmp_path / "reports"
    code = cli.main(["run", "mnist_dae", "--profile", "quick", "--output", str(out),
                     "-p", "data_dir", str(tmp_path / "empty")])
    assert code == cli.EXIT_FAILED
    stdout = capsys.readouterr().out
    assert "raised DatasetNotFoundError: Data set 'fashion_mnist' not found." in stdout
    assert "train-images-idx3-ubyte.gz" in stdout
    assert (out / "mnist_dae" / "failed.ipynb").is_file()
    assert not (out / "mnist_dae" / "metrics.json").exists()


def test_translation_smoke_report_has_every_model_and_metric(smoke_reports):
    out, _ = smoke_reports
    record = json.loads((out / "translation" / "metrics.json").read_text())
    m = record["metrics"]
    assert record["parameters"]["recipe"] == "fast" and record["parameters"]["generated_data"]
    for model in ("simplernn", "lstm", "gru", "bidirectional"):
        assert 0 <= m[f"{model}_token_accuracy"] <= 1
        assert 0 <= m[f"{model}_token_accuracy_padded"] <= 1
        assert 0 <= m[f"{model}_sentence_accuracy"] <= 1
        assert 0 <= m[f"{model}_bleu"] <= 100
    assert m["pairs_like_source"] == m["pairs"] + 1  # the empty item after the last newline
    summary = (out / "translation" / "summary.md").read_text()
    assert "## Sample translations (padding stripped)" in summary
    assert "The source's LSTM > GRU > SimpleRNN" in summary
    figures = {p.name for p in (out / "translation" / "figures").glob("*.png")}
    assert figures == {"loss.png", "val_loss.png", "accuracy.png", "val_accuracy.png"}


def test_arithmetic_smoke_report_has_every_section(smoke_reports):
    out, _ = smoke_reports
    record = json.loads((out / "arithmetic" / "metrics.json").read_text())
    m = record["metrics"]
    for row in record["source_vs_regenerated"]:
        if "parameters" in row["quantity"]:  # architecture is exact even on stand-in data
            assert row["regenerated"] == row["source"], row
    for name, extras in (("addsub", (1, 2)), ("mul", (0, 1, 2, 3))):
        for extra in extras:
            assert 0 <= m[f"t2t_{name}_{extra}_test_char_accuracy"] <= 1
        for kind in ("convlstm", "conv", "ours"):
            assert 0 <= m[f"i2t_{name}_{kind}_test_answer_accuracy"] <= 1
        for kind in ("dense", "regularized", "bidirectional", "conv"):
            assert 0 <= m[f"t2i_{name}_{kind}_readable_answers"] <= 1
        assert m[f"reader_{name}_test_accuracy"] > 0.5  # generated digits are easy to read
    for share in (0.25, 0.5, 0.75, 0.9):
        assert f"t2t_split_{share:g}_test_char_accuracy" in m
    figures = {p.name for p in (out / "arithmetic" / "figures").glob("*.png")}
    assert {"t2t_split_errors.png", "t2t_mul_errors.png", "t2i_addsub_answers.png",
            "t2i_mul_answers.png", "examples.png", "operators.png"} <= figures
    summary = (out / "arithmetic" / "summary.md").read_text()
    assert "answer acc = whole answers" in summary


def test_scratch_framework_smoke_report_has_every_search_and_its_sentences(smoke_reports):
    out, _ = smoke_reports
    record = json.loads((out / "scratch_framework" / "metrics.json").read_text())
    m = record["metrics"]
    # The framework's hand-written gradients train as Keras does, to float32 rounding.
    assert m["overlay_max_relative_gap"] < 1e-5
    assert 0 < m["noisy_input_val_psnr"] < 40 and 0 < m["base_val_psnr"] < 60
    assert "long_val_psnr" in m  # the smoke profile runs a (tiny) long run too
    figures = {p.name for p in (out / "scratch_framework" / "figures").glob("*.png")}
    assert figures == {"overlay.png", "learning_rate_search.png", "activation_search.png",
                       "width_search.png", "upsampling_search.png", "denoised_examples.png",
                       "long_run.png"}
    summary = (out / "scratch_framework" / "summary.md").read_text()
    # Each sentence about the searches is the one the numbers give.
    assert f"lowest final validation loss at lr {m['search_best_lr']:g}" in summary
    assert f"Activation: {m['activation_best']} <" in summary
    wide, narrow = m["wide_val_psnr"], m["base_val_psnr"]
    assert ("beats" if wide > narrow else "does not beat") in summary
    nearest, transpose = m["base_val_psnr"], m["transpose_val_psnr"]
    assert ("below" if nearest < transpose else "not below") + " TransposeConv2d" in summary
    for row in ("noisy input (no model)", "Keras U-Net (beyond the source)"):
        assert row in summary


def test_image_classification_smoke_report_has_every_table_and_its_sentences(smoke_reports):
    out, _ = smoke_reports
    record = json.loads((out / "image_classification" / "metrics.json").read_text())
    m = record["metrics"]
    # The source's parameter counts, whatever the profile trains.
    assert (m["cifar10_lenet_params"], m["cifar10_lenet_bn_params"],
            m["cifar10_resnet_source_width_params"]) == (62_006, 62_458, 21_286_346)
    for model in ("lenet", "lenet_bn", "super_lenet", "super_resnet_wrong_init",
                  "super_resnet"):
        assert 0 <= m[f"cifar10_{model}_test_accuracy"] <= 1
        assert m[f"cifar10_{model}_seconds"] > 0 and m[f"cifar10_{model}_peak_gb"] > 0
    # A wrong initialisation starts far above ln 10 = 2.30, and above Kaiming's start.
    for model in ("super_lenet", "super_resnet"):
        wrong, kaiming = (m[f"cifar10_{model}{init}_initial_loss"]
                          for init in ("_wrong_init", ""))
        assert wrong > 5 and wrong > 2 * kaiming and kaiming < 2.3026 + 1.5
    figures = {p.name for p in (out / "image_classification" / "figures").glob("*.png")}
    assert figures == {"lenet_curves.png", "resnet_curves.png", "hockey_stick.png",
                       "batch_size.png", "spsa_vs_adam.png"}
    summary = (out / "image_classification" / "summary.md").read_text()
    # Each sentence is the one the numbers give.
    bn, plain = m["cifar10_lenet_bn_test_accuracy"], m["cifar10_lenet_test_accuracy"]
    assert f"BatchNorm helps LeNet? LeNetBN {bn:.4f} vs LeNet {plain:.4f} test accuracy: " \
           f"{'yes' if bn > plain else 'no'} here, yes in the source" in summary
    assert f"best validation accuracy at {m['cifar10_batch_study_best_size']} of" in summary
    spsa_acc, adam_acc = (m[f"cifar10_lenet_{a}_val_accuracy"] for a in ("spsa", "adam"))
    assert f"{'SPSA' if spsa_acc >= adam_acc else 'Adam'} ends higher" in summary


@pytest.mark.parametrize("parameter, value, message", [
    ("batch_size", "500", "batch_size must be from 1 to the 192 training images it "
                          "batches, got 500"),
    ("lenet_models", "lenet,lenet5", "lenet_models: unknown name(s) lenet5; choose from "
                                     "lenet, lenet_bn"),
])
def test_image_classification_refuses_bad_input_before_training(
        tmp_path, capsys, parameter, value, message):
    out = tmp_path / "reports"
    code = cli.main(["run", "image_classification", "--profile", "smoke", "--output",
                     str(out), "-p", parameter, value])
    assert code == cli.EXIT_FAILED
    stdout = capsys.readouterr().out
    assert f"raised ValueError: {message}" in stdout
    failed = nbformat.read(out / "image_classification" / "failed.ipynb", as_version=4)
    assert "trainable parameters" not in str([c.get("outputs") for c in failed.cells])
    assert not (out / "image_classification" / "metrics.json").exists()


def test_image_classification_runs_on_tiny_imagenet_with_the_same_notebook(tmp_path):
    """`-p dataset tiny_imagenet` (its generated stand-in, in the official JPEG layout):
    the 64x64 LeNets have no hidden layers, and there is no test split to score."""
    out = tmp_path / "reports"
    assert cli.main(["run", "image_classification", "--profile", "smoke", "--output",
                     str(out), "-p", "dataset", "tiny_imagenet"]) == 0
    m = json.loads((out / "image_classification" / "metrics.json").read_text())["metrics"]
    classes = 10  # the stand-in's (synthetic.write_tiny_imagenet_like)
    assert m["tiny_imagenet_lenet_params"] == 456 + 2_416 + 400 * classes + classes
    assert 0 <= m["tiny_imagenet_super_lenet_val_accuracy"] <= 1
    assert not any(key.endswith("test_accuracy") for key in m)
    summary = (out / "image_classification" / "summary.md").read_text()
    assert "validation accuracy: " in summary and "TinyImageNet" in summary


def test_rnn_language_smoke_report_has_every_task_and_its_sentences(smoke_reports):
    out, _ = smoke_reports
    report = out / "rnn_language"
    m = json.loads((report / "metrics.json").read_text())["metrics"]
    # The source's cell at its 59 characters: its listing's count, whatever the data.
    assert m["names_source_cell_59_params"] == 46_248
    assert m["names_source_params"] == 29_388  # the same cell at our 29 ids
    assert m["imdb_lstm_pytorch_params"] == 920_385
    # the two word-model listings at their own vocabularies (seeds/002 section 6.10)
    assert (m["words_word_model1_listing_params"], m["words_word_model2_listing_params"]) \
        == (7_197_952, 77_183_777)
    for key in ("names_source_heldout_nll", "names_lstm_heldout_nll"):
        assert 0 < m[key] < 10
    for key in ("words_word_model1_lstm_perplexity", "words_word_model2_perplexity"):
        assert 1 < m[key] < 10 * m["words_vocab"]
    assert m["words_word_model1_lstm_tokens_per_s"] > 0
    for key in ("imdb_lstm_val_accuracy", "imdb_fasttext_val_accuracy",
                "imdb_fasttext_official_test_accuracy"):
        assert 0 <= m[key] <= 1
    for key in ("fra_gru_bleu", "fra_gru_bahdanau_bleu"):
        assert 0 <= m[key] <= 100
    assert m["fra_held_out_pairs"] == round(0.1 * m["fra_pairs"])
    figures = {p.name for p in (report / "figures").glob("*.png")}
    assert figures == {"names_loss.png", "words_loss.png", "imdb_curves.png",
                       "translation_loss.png", "attention_gru_bahdanau.png"}
    summary = (report / "summary.md").read_text()
    # Each sentence is the one the numbers give.
    source, lstm = m["names_source_heldout_nll"], m["names_lstm_heldout_nll"]
    low, high = sorted([("source", source), ("lstm", lstm)], key=lambda item: item[1])
    assert (f"lowest first: {low[0]} ({low[1]:.4g}) < {high[0]} ({high[1]:.4g})"
            in summary)
    held = m["imdb_fasttext_official_test_accuracy"]
    assert f"held-out test accuracy {held:.4f}: {'meets' if held >= 0.9 else 'misses'}" \
        in summary
    # the source split's test row says it is not held out, the official split's that it is
    assert "of the test reviews trained on" in summary and "| yes |" in summary
    source_split = m["imdb_fasttext_val_accuracy"]
    assert (f"held-out validation accuracy {source_split:.4f}, "
            f"{'at or above' if source_split >= 0.9 else 'below'} 0.90") in summary
    for text in catalog.RNN_LANGUAGE_COMPLETIONS.values():
        assert text in summary
    assert "Sherter, Panere, Anter" in summary


@pytest.mark.parametrize("parameter, value, message", [
    ("names_models", "source,transformer", "names_models: unknown name(s) transformer; "
                                           "choose from source, simplernn, lstm, gru"),
    ("tasks", "names,vision", "tasks: unknown name(s) vision; choose from names, words"),
    ("tasks", " ", "tasks must name at least one of names, words, sentiment, translation"),
])
def test_rnn_language_refuses_bad_input_before_training(tmp_path, capsys, parameter, value,
                                                        message):
    out = tmp_path / "reports"
    code = cli.main(["run", "rnn_language", "--profile", "smoke", "--output", str(out),
                     "-p", parameter, value])
    assert code == cli.EXIT_FAILED
    assert f"raised ValueError: {message}" in capsys.readouterr().out
    assert not (out / "rnn_language" / "metrics.json").exists()


def test_rnn_language_names_a_prompt_word_it_does_not_know(tmp_path):
    """One task alone (`tasks`), and a prompt word outside the vocabulary: read as <unk>,
    and the report says which."""
    out = tmp_path / "reports"
    assert cli.main(["run", "rnn_language", "--profile", "smoke", "--output", str(out),
                     "-p", "tasks", "words", "-p", "prompt", "think about zyzzyva"]) == 0
    m = json.loads((out / "rnn_language" / "metrics.json").read_text())["metrics"]
    assert "words_vocab" in m and not any(k.startswith(("names_", "imdb_", "fra_"))
                                          for k in m)
    summary = (out / "rnn_language" / "summary.md").read_text()
    # (the generated text knows none of the three words; the real one knows the first two)
    assert "read as <unk>: think, about, zyzzyva." in summary
