"""The command line on good and bad input. Bad input must stop before anything trains."""

import pytest

from kerasreports import cli


def test_list_names_each_report_its_source_notebook_and_data(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "mnist_dae" in out and "seeds/004_42cbbbf1ce44c5e9.txt" in out
    assert "notebooks/mnist_dae.ipynb" in out and "smoke/quick/full" in out
    assert "fashion_mnist (" in out


def test_data_status_explains_missing_data(capsys, no_data_anywhere):
    assert cli.main(["data", "status"]) == cli.EXIT_FAILED
    out = capsys.readouterr().out
    assert "fashion_mnist   missing" in out and "t10k-images-idx3-ubyte.gz" in out


@pytest.mark.parametrize("argv, expected", [
    (["run", "nope"], "unknown report 'nope'; the catalogue has: mnist_dae, translation"),
    (["run", "mnist_dae", "-p", "epochs", "3"], "has no parameter 'epochs'; its parameters are: seed"),
    (["run", "mnist_dae", "-p", "dae_epochs", "-1"], "dae_epochs=-1 is out of range (1..1000)"),
    (["run", "mnist_dae", "-p", "dae_epochs", "two"], "dae_epochs must be int"),
    (["run", "mnist_dae", "-p", "dropout_rate", "0.95"], "out of range (0..0.9)"),
    (["run", "mnist_dae", "-p", "dataset", "cifar"], "choose one of: fashion_mnist, mnist"),
    (["run", "mnist_dae", "-p", "generated_data", "perhaps"], "generated_data must be bool"),
    (["run", "mnist_dae", "-p", "output_dir", "x"], "output_dir is set by the runner"),
])
def test_bad_run_input_is_one_clear_error_before_anything_runs(argv, expected, capsys, tmp_path):
    assert cli.main(argv + ["--output", str(tmp_path / "reports")]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists()


def test_unknown_profile_lists_the_profiles(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["run", "--profile", "huge"])
    assert stopped.value.code == cli.EXIT_USAGE
    assert "choose from 'smoke', 'quick', 'full'" in capsys.readouterr().err
