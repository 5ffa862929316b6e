"""Where `kerasreports run --output DIR` may write, and what an interrupted, concurrent or
broken run leaves there (kerasreports.outputs, the run's cleanup, the index).

The notebooks here are tiny fakes (a parameters cell and one cell); the interrupt and
concurrency tests run `kerasreports run` in real subprocesses, each bounded in time.
"""

import errno
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import pytest

from kerasreports import catalog, cli, index, outputs
from fake_reports import fake_report, write_notebook  # noqa: E402

WRITES_A_REPORT = (
    "import os\n"
    "open(os.path.join(output_dir, 'summary.md'), 'w').write('new')\n"
    "open(os.path.join(output_dir, 'metrics.json'), 'w').write("
    "'{\"profile\": \"quick\", \"date\": \"2025-01-02T03:04\", \"metrics\": {}}')"
)

# A report that says it started (with its kernel's pid), then waits for a file `go` beside
# the output folder, for at most a minute: long enough to interrupt, never forever.
WAITS = (
    "import os, pathlib, time\n"
    "here = pathlib.Path(output_dir).parent.parent\n"
    "print('started', flush=True)\n"
    "(here / 'started').write_text(str(os.getpid()))\n"
    "deadline = time.time() + 60\n"
    "while not (here / 'go').exists() and time.time() < deadline:\n"
    "    time.sleep(0.1)\n" + WRITES_A_REPORT
)

# `kerasreports run --output OUT` in a process of its own, with a catalogue of one fake
# report: python driver.py OUT NAME BODY_FILE [more cli arguments]
DRIVER = textwrap.dedent('''
    import sys
    from pathlib import Path

    import nbformat
    from kerasreports import catalog, cli

    class FakeReport(catalog.Report):
        @property
        def notebook(self):
            return Path(sys.argv[1]).parent / f"{self.name}.ipynb"

    out, name, body = sys.argv[1], sys.argv[2], Path(sys.argv[3]).read_text()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('output_dir = ""\\nprofile = "quick"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, Path(out).parent / f"{name}.ipynb")
    catalog.REPORTS = {name: FakeReport(name=name, title=name, source="-", datasets=())}
    sys.exit(cli.main(["run", "--output", out, *sys.argv[4:]]))
''')




@pytest.fixture
def fake_catalogue(tmp_path, monkeypatch):
    """The catalogue is `works` (writes a report) and `other` (never run here)."""
    reports = {
        "works": fake_report("works", write_notebook(tmp_path / "works.ipynb", WRITES_A_REPORT)),
        "other": fake_report("other", write_notebook(tmp_path / "other.ipynb", "1"))}
    monkeypatch.setattr(catalog, "REPORTS", reports)
    return reports


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def _hidden_work(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith(".") and p.name not in (outputs.MARKER, outputs.LOCK))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent's wait is due


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


# ---------------------------------------------------------------- what may be written to


def test_output_holding_other_files_is_refused_and_left_untouched(
        tmp_path, fake_catalogue, monkeypatch, capsys):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "README.md").write_text("# my project\n")
    (project / "src" / "main.py").write_text("print('hi')\n")
    before = _snapshot(project)
    monkeypatch.chdir(project)

    assert cli.main(["run", "works", "--output", "."]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"--output {project} already holds files that kerasreports did not write " \
           "(README.md, src); nothing was touched" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _snapshot(project) == before  # no README rewritten, no marker, no lock


def test_new_empty_and_marked_folders_are_ours(tmp_path):
    new = outputs.claim(tmp_path / "a" / "b")
    assert (new / outputs.MARKER).is_file()
    (tmp_path / "empty").mkdir()
    assert (outputs.claim(tmp_path / "empty") / outputs.MARKER).is_file()
    (new / "README.md").write_text("an earlier run's index")
    assert outputs.claim(new) == new  # marked: ours, whatever it holds


def test_a_folder_holding_only_marked_folders_is_ours(tmp_path):
    """`kerasreports tune` first (reports/NAME/tuning/), `kerasreports run` afterwards."""
    outputs.claim(tmp_path / "reports" / "mnist_dae" / "tuning")
    assert (outputs.claim(tmp_path / "reports") / outputs.MARKER).is_file()
    (tmp_path / "other" / "empty").mkdir(parents=True)  # no marker anywhere: not ours
    outputs.claim(tmp_path / "other" / "x" / "tuning")
    (tmp_path / "other" / "x" / "notes.txt").write_text("mine")
    for folder in ("other", "other/x"):
        with pytest.raises(outputs.OutputFolderError, match="nothing was touched"):
            outputs.claim(tmp_path / folder)


def test_the_committed_reports_folders_carry_the_marker():
    repo = Path(__file__).resolve().parent.parent
    folders = [repo / "reports", *sorted((repo / "reports").glob("*/tuning"))]
    assert len(folders) > 1
    for folder in folders:
        assert (folder / outputs.MARKER).is_file(), folder
        ignored = subprocess.run(["git", "check-ignore", "-q", str(folder / outputs.MARKER)],
                                 cwd=repo, capture_output=True)
        assert ignored.returncode == 1, f"{folder / outputs.MARKER} is git-ignored"


def test_output_that_is_a_file_is_one_clear_error(tmp_path, fake_catalogue, capsys):
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    assert cli.main(["run", "works", "--output", str(target)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"--output {target} is a file, not a folder" in err and "Traceback" not in err
    assert target.read_text() == "keep me"


def test_output_path_too_long_is_one_clear_error(tmp_path, fake_catalogue, capsys):
    target = tmp_path / ("x" * 300) / "reports"
    assert cli.main(["run", "works", "--output", str(target)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "cannot write the results into --output" in err
    assert "the path is too long" in err and str(tmp_path) in err
    assert "Traceback" not in err and len(err) < 800


def test_read_only_output_is_one_clear_error(tmp_path, fake_catalogue, monkeypatch, capsys):
    """Simulated: tests run as root in CI, and root writes into a chmod'ed folder."""
    out = outputs.claim(tmp_path / "reports")
    (out / "README.md").write_text("an earlier run's index")

    def refuse(folder):
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr(outputs, "_probe_writable", refuse)
    assert cli.main(["run", "works", "--output", str(out)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"cannot write the results into --output {out}: permission denied" in err
    assert "Traceback" not in err
    assert (out / "README.md").read_text() == "an earlier run's index"
    assert not (out / "works").exists()


def _chmod_protects(folder: Path) -> bool:
    """Whether this process is refused writing into a 0o555 folder (root is not)."""
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").write_text("")
    except PermissionError:
        return True
    finally:
        folder.chmod(0o755)
    return False


@pytest.mark.parametrize("where", ["the folder", "its parent"])
def test_read_only_output_really_chmodded(tmp_path, fake_catalogue, capsys, where):
    if not _chmod_protects(tmp_path / "probe"):
        pytest.skip("this user (root) writes into read-only folders; see the test above")
    parent = tmp_path / "parent"
    out = outputs.claim(parent / "reports") if where == "the folder" else parent / "reports"
    parent.mkdir(exist_ok=True)
    locked = out if where == "the folder" else parent
    locked.chmod(0o555)
    try:
        assert cli.main(["run", "works", "--output", str(out)]) == cli.EXIT_USAGE
    finally:
        locked.chmod(0o755)
    err = capsys.readouterr().err
    assert f"--output {out}: permission denied" in err and "Traceback" not in err


# ---------------------------------------------------------------- the index


def test_index_names_an_unreadable_metrics_json_and_keeps_going(tmp_path):
    names = list(catalog.REPORTS)
    out = outputs.claim(tmp_path / "reports")
    for name, text in zip(names, ['{"profile": "quick", "metr', "[1, 2]", '{"profile": "quick"}']):
        (out / name).mkdir()
        (out / name / "metrics.json").write_text(text)

    problems = index.write(out)
    readme = (out / "README.md").read_text()
    assert problems == [
        f"{out}/{names[0]}/metrics.json is unreadable (JSONDecodeError: Unterminated string "
        f"starting at: line 1 column 22 (char 21)); rerun the report",
        f"{out}/{names[1]}/metrics.json is unreadable (it holds a list, not a report's "
        f"record); rerun the report"]
    for problem in problems:
        assert problem[len(f"{out}/"):] in readme
    assert f"| {names[0]} | " in readme and "| unreadable |" in readme
    assert f"[{names[2]}]({names[2]}/summary.md)" in readme  # no environment: blanks, a row
    page = (out / "index.html").read_text()
    assert page.count("is unreadable") == 2  # each unreadable report's card says why
    assert f"{names[1]}/metrics.json is unreadable (it holds a list" in page
    assert _hidden_work(out) == []  # written through temporary files, none left


# ---------------------------------------------------------------- folders swapped in place


def test_replace_dir_never_leaves_the_folder_missing(tmp_path):
    final = tmp_path / "report"
    final.mkdir()
    (final / "summary.md").write_text("0")
    missing = []
    done = threading.Event()

    def look():
        while not done.is_set():
            if not (final / "summary.md").exists():
                missing.append(time.time())

    reader = threading.Thread(target=look)
    reader.start()
    try:
        for k in range(1, 300):
            new = outputs.work_dir(tmp_path, "report")
            (new / "summary.md").write_text(str(k))
            outputs.replace_dir(new, final)
    finally:
        done.set()
        reader.join()
    assert (final / "summary.md").read_text() == "299"
    assert missing == [] and sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_replace_dir_without_an_atomic_exchange_still_replaces(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_exchange", lambda a, b: False)
    final = outputs.claim(tmp_path / "tuning")
    (final / "old.txt").write_text("old")
    with outputs.lock(final):
        new = outputs.work_dir(tmp_path, "tuning")
        (new / "summary.md").write_text("new")
        outputs.replace_dir(new, final)
        with pytest.raises(outputs.FolderBusyError):  # the lock moved with the folder
            with outputs.lock(final):
                pass
    assert sorted(p.name for p in final.iterdir()) == [outputs.LOCK, outputs.MARKER,
                                                        "summary.md"]
    assert [p.name for p in tmp_path.iterdir()] == ["tuning"]


def test_a_second_lock_names_the_first_holder(tmp_path):
    with outputs.lock(tmp_path):
        with pytest.raises(outputs.FolderBusyError,
                           match=rf"in use by another kerasreports run \(pid {os.getpid()}, "):
            with outputs.lock(tmp_path):
                pass
    with outputs.lock(tmp_path):  # released
        pass


def test_remove_stale_work_removes_only_what_runs_left(tmp_path):
    for name in (".works-work-abc", ".works-old-123", ".keep-me", "works"):
        (tmp_path / name).mkdir()
    (tmp_path / ".README.md.4242.tmp").write_text("half")
    (tmp_path / ".notes.txt").write_text("the user's")
    removed = outputs.remove_stale_work(tmp_path)
    assert sorted(p.name for p in removed) == [".README.md.4242.tmp", ".works-old-123",
                                               ".works-work-abc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".keep-me", ".notes.txt", "works"]


# ---------------------------------------------------------------- runs (one kernel each)


def test_a_new_report_keeps_the_tuning_summary_and_a_bad_metrics_json_is_a_row(
        tmp_path, fake_catalogue, capsys):
    out = outputs.claim(tmp_path / "reports")
    (out / "works" / "tuning" / "figures").mkdir(parents=True)
    (out / "works" / "summary.md").write_text("old")
    (out / "works" / "failed.ipynb").write_text("{}")
    tuning = out / "works" / "tuning"
    (tuning / outputs.MARKER).write_text("")
    (tuning / "summary.md").write_text("the search")
    (tuning / "figures" / "objective.png").write_bytes(b"png")
    (out / "other").mkdir()
    (out / "other" / "metrics.json").write_text("{not json")
    (out / ".works-work-killed").mkdir()  # left by a SIGKILLed run
    (out / ".works-abcd1234").mkdir()  # left by a SIGKILLed run of an older version

    assert cli.main(["run", "works", "--output", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert (out / "works" / "summary.md").read_text() == "new"
    assert not (out / "works" / "failed.ipynb").exists()
    assert _snapshot(tuning) == {outputs.MARKER: b"", "figures": None,
                                 "figures/objective.png": b"png", "summary.md": b"the search"}
    readme = (out / "README.md").read_text()
    assert "[works](works/tuning/summary.md)" in readme
    assert "other/metrics.json is unreadable (JSONDecodeError: " in readme
    assert f"index: {out}/other/metrics.json is unreadable" in stdout
    assert "| 2025-01-02 |" in readme  # a record without `environment` still has its row
    assert _hidden_work(out) == []


def _start(tmp_path: Path, out: Path, body: str, *extra: str) -> subprocess.Popen:
    (tmp_path / "driver.py").write_text(DRIVER)
    (tmp_path / "body.py").write_text(body)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(tmp_path / "driver.py"), str(out), "slow", str(tmp_path / "body.py"),
         *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=tmp_path)


def _started_kernel(tmp_path: Path, process: subprocess.Popen) -> int:
    if not _wait_for(lambda: (tmp_path / "started").is_file() or process.poll() is not None,
                     120):
        process.kill()
    if not (tmp_path / "started").is_file():
        out, err = process.communicate(timeout=30)
        pytest.fail(f"the report never started:\n{out[-2000:]}\n{err[-2000:]}")
    _wait_for(lambda: (tmp_path / "started").read_text(), 5)
    return int((tmp_path / "started").read_text())


def _finish(process: subprocess.Popen, kernel: int | None = None) -> tuple[str, str]:
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    finally:
        if kernel and _alive(kernel):
            os.kill(kernel, signal.SIGKILL)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_cleans_up_and_says_so_in_one_line(tmp_path, signum, code):
    out = outputs.claim(tmp_path / "reports")
    (out / "slow").mkdir()
    (out / "slow" / "summary.md").write_text("the previous good report")
    run = _start(tmp_path, out, WAITS)
    kernel = _started_kernel(tmp_path, run)
    time.sleep(0.5)  # let papermill take the cell's output in
    run.send_signal(signum)
    try:
        stdout, stderr = _finish(run)
        kernel_gone = _wait_for(lambda: not _alive(kernel), 10)
    finally:
        if _alive(kernel):
            os.kill(kernel, signal.SIGKILL)
    name = signal.Signals(signum).name
    assert run.returncode == code, stdout[-2000:] + stderr[-3000:]
    said = [line for line in stderr.splitlines() if line.startswith("kerasreports:")]
    assert said == [
        f"kerasreports: interrupted by {name} during report slow; its previous report is "
        f"unchanged; partial notebook: {out}/slow/failed.ipynb"], stderr
    assert "Traceback" not in stderr
    assert kernel_gone, "the kernel outlived the interrupted run"
    assert (out / "slow" / "summary.md").read_text() == "the previous good report"
    partial = nbformat.read(out / "slow" / "failed.ipynb", as_version=4)
    assert "started" in str(partial.cells[-1].outputs)
    assert _hidden_work(out) == []
    assert "| slow | slow | not run |" in (out / "README.md").read_text()
    assert (out / "README.md").read_text().rstrip().endswith("| True |")  # failed run kept


def test_a_killed_run_is_cleaned_up_by_the_next_one(tmp_path):
    out = tmp_path / "reports"
    run = _start(tmp_path, out, WAITS)
    kernel = _started_kernel(tmp_path, run)
    run.kill()
    _finish(run, kernel)
    assert [p.name.startswith(".slow-work-") for p in out.iterdir() if p.is_dir()] == [True]

    (tmp_path / "started").unlink()
    (tmp_path / "go").write_text("")
    again = _start(tmp_path, out, WAITS)
    stdout, stderr = _finish(again, None)
    assert again.returncode == 0, stdout[-2000:] + stderr[-3000:]
    assert "left by an interrupted run" in stdout
    assert (out / "slow" / "summary.md").read_text() == "new"
    assert _hidden_work(out) == []


def test_a_second_run_into_the_same_folder_refuses_naming_the_first(tmp_path):
    out = tmp_path / "reports"
    first = _start(tmp_path, out, WAITS)
    kernel = None
    try:
        kernel = _started_kernel(tmp_path, first)
        second = subprocess.run(
            [sys.executable, str(tmp_path / "driver.py"), str(out), "slow",
             str(tmp_path / "body.py")], capture_output=True, text=True, timeout=120,
            cwd=tmp_path)
        assert first.poll() is None  # the first run is unaffected
    finally:
        (tmp_path / "go").write_text("")
        stdout, stderr = _finish(first, kernel)
    assert second.returncode == cli.EXIT_USAGE
    assert f"the output folder {out.resolve()} is in use by another kerasreports run " \
           f"(pid {first.pid}, since " in second.stderr
    assert "Traceback" not in second.stderr and second.stderr.count("\n") == 1
    assert "=== slow" not in second.stdout  # it ran nothing
    assert first.returncode == 0, stdout[-2000:] + stderr[-3000:]
    assert (out / "slow" / "summary.md").read_text() == "new"
    assert _hidden_work(out) == []


def test_a_signal_while_the_report_moves_into_place_waits_for_the_move(
        tmp_path, fake_catalogue, monkeypatch):
    from kerasreports import run

    out = outputs.claim(tmp_path / "reports")
    (out / "works" / "tuning").mkdir(parents=True)
    (out / "works" / "tuning" / "summary.md").write_text("the search")
    replace_dir = outputs.replace_dir

    def interrupted_half_way(new, final):
        os.kill(os.getpid(), signal.SIGTERM)  # after tuning/ moved, before the swap
        replace_dir(new, final)

    monkeypatch.setattr(outputs, "replace_dir", interrupted_half_way)
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with pytest.raises(run.Interrupted) as stopped:
        run.run(["works"], output_root=out)
    assert stopped.value.exit_status == 143
    assert str(stopped.value) == \
        "interrupted by SIGTERM; the reports that had finished are in place"
    assert (out / "works" / "summary.md").read_text() == "new"
    assert (out / "works" / "tuning" / "summary.md").read_text() == "the search"
    assert "[works](works/summary.md)" in (out / "README.md").read_text()
    assert _hidden_work(out) == []
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
