"""Test-only: puts the fake reports named in $KERASREPORTS_TEST_FAKES into the catalogue
of every Python process started with this folder on PYTHONPATH, so that the worker
processes of `kerasreports run --jobs N` (fresh interpreters) see the same catalogue as
the test that monkeypatched its own. The variable holds `name=notebook,...`."""

import os

_fakes = os.environ.get("KERASREPORTS_TEST_FAKES")
if _fakes:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for fake_reports
    from fake_reports import fake_report

    from kerasreports import catalog

    catalog.REPORTS.clear()
    for item in _fakes.split(","):
        name, notebook = item.split("=", 1)
        catalog.REPORTS[name] = fake_report(name, Path(notebook))
