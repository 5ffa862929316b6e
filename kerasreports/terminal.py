"""What `kerasreports run` shows while a notebook runs: the notebook's own output and Keras'
per-epoch lines, not papermill's bookkeeping or TensorFlow's known-harmless start-up lines.

- papermill logs a banner before and after every cell ("Executing Cell 7-----"), the
  notebook's paths at the start, and the text form of every rich output
  (`<Figure size 640x400 with 1 Axes>`, `<IPython.core.display.Markdown object>`): the
  `PapermillNoise` filter drops exactly those records; every other line of a cell's output
  (prints, Keras' epoch lines, tracebacks) is shown.
- The kernel's stderr (TensorFlow's C++ log, which must not land in the notebook: the
  kernel runs with `capture_fd_output=False`) goes through `KernelStderr`, which drops the
  lines in `HARMLESS` and passes every other line on unchanged, errors included. A line is
  harmless only when it is known to be: CPU feature notices, the oneDNN notice, the
  absl preamble, CUDA not found on a machine without a GPU (on a GPU machine that line
  is a real problem and is shown), and the NodeDef attribute warnings
  `enable_op_determinism` causes under TF 2.21.
- The kernel talks to the runner over IPC sockets rather than TCP on localhost, which
  ipykernel would otherwise warn about for every report ("running over TCP without
  encryption"): both ends are this machine's processes.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading

HARMLESS = [re.compile(p) for p in (
    r"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
    r"STDERR$",
    r"^I0000 .*cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized",
    r"^To enable the following instructions: .*rebuild TensorFlow with the appropriate "
    r"compiler flags\.$",
    r"^I0000 .*port\.cc:\d+\] oneDNN custom operations are on",
    r"^I0000 .*generator_dataset_op\.cc:\d+\] Memory patch applied",
    r"NodeDef .*use_unbounded_threadpool",
)]
# Harmless only where there is no GPU to find.
NO_GPU = [re.compile(p) for p in (
    r"^I0000 .*cudart_stub\.cc:\d+\] Could not find cuda drivers on your machine",
    r"^E0000 .*cuda_platform\.cc:\d+\] failed call to cuInit: .*\(303\)$",
)]

_PAPERMILL_NOISE = re.compile(
    r"^(Executing Cell \d+-+|Ending Cell \d+-+|Input Notebook: .*|Output Notebook: .*|"
    r"Working directory: .*|Executing notebook with kernel: .*|"
    r"<Figure size \d+x\d+ with \d+ Axes>|<IPython\.core\.display\.\w+ object>)\s*$")


class PapermillNoise(logging.Filter):
    """Drops papermill's cell banners, start-up paths and rich-output reprs."""

    def filter(self, record: logging.LogRecord) -> bool:
        lines = [line for line in record.getMessage().splitlines()
                 if not _PAPERMILL_NOISE.match(line)]
        if not any(line.strip() for line in lines):
            return False
        record.msg, record.args = "\n".join(lines), ()
        return True


def harmless(line: str, gpus: bool) -> bool:
    patterns = HARMLESS if gpus else HARMLESS + NO_GPU
    return any(p.search(line) for p in patterns)


class KernelStderr:
    """A pipe for a kernel's stderr; a thread copies its lines to our stderr, less the
    harmless ones. `fd` goes to the kernel; call `started()` once it runs."""

    def __init__(self, gpus: bool):
        self._read, self.fd = os.pipe()
        self._gpus = gpus
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        with os.fdopen(self._read, "r", encoding="utf-8", errors="replace") as pipe:
            for line in pipe:
                if not harmless(line.rstrip("\n"), self._gpus):
                    sys.stderr.write(line)
                    sys.stderr.flush()

    def started(self) -> None:
        """Close our copy of the write end: the kernel holds its own, and the copying
        thread ends when the kernel exits."""
        os.close(self.fd)
