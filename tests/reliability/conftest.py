"""Shared pieces of the reliability tests: one tiny benchmark per session and a tool runner.

Tools run in their own process, so that exit codes and stderr are the real ones. By default the
child is a fork of the test process, which has torch and mmengine imported already (a fresh
interpreter spends ~4 s importing them; 20 bad-input cases would take over a minute). The
fork runs the script exactly as ``python tools/X.py`` would: ``__name__ == "__main__"``, its
own stdout/stderr file descriptors, and an uncaught exception printed by the interpreter's
rule (traceback, exit 1). ``OAT_TEST_FRESH_PROCESSES=1`` runs each tool in a fresh
interpreter instead. Training runs (kill -9, torchrun, determinism) always use fresh
interpreters: a fork would share the parent's hash seed and import state.
"""
from __future__ import annotations

import importlib
import json
import os
import runpy
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / "configs" / "oat" / "oat_bench-tiny.py"
FRESH_PROCESSES = os.environ.get("OAT_TEST_FRESH_PROCESSES") == "1"
WARM_MODULES = ("mmengine.runner", "matplotlib.pyplot", "yapf", "oat.models",
                "oat.datasets.windows", "oat.datasets.videos", "oat.evaluation", "oat.inference")


@dataclass
class ToolResult:
    """What a finished tool process left: exit code and its decoded output streams."""

    returncode: int
    stdout: str
    stderr: str


def _child_environment(extra: dict[str, str] | None) -> dict[str, str]:
    return dict(os.environ, OMP_NUM_THREADS="1", **(extra or {}))


def run_tool(script: str, *args: str, env: dict[str, str] | None = None,
             timeout: float = 120.0) -> ToolResult:
    """Run ``tools/<script> args...`` in a child process and wait for it (see module doc)."""
    path = str(REPO / "tools" / script)
    if FRESH_PROCESSES or not hasattr(os, "fork"):
        done = subprocess.run([sys.executable, path, *args], cwd=REPO, capture_output=True,
                              text=True, timeout=timeout, env=_child_environment(env))
        return ToolResult(done.returncode, done.stdout, done.stderr)
    return _run_forked(path, list(args), _child_environment(env), timeout)


def _run_forked(path: str, args: list[str], env: dict[str, str], timeout: float) -> ToolResult:
    """``python path args`` as a fork of this interpreter; output goes through temp files."""
    outputs = [os.path.join(os.environ.get("TMPDIR", "/tmp"), f"oat-tool-{os.getpid()}-{name}")
               for name in ("out", "err")]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 1
        try:
            for fd, output in zip((1, 2), outputs):
                os.dup2(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
            sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
            os.environ.clear()
            os.environ.update(env)
            os.chdir(REPO)
            sys.argv = [path, *args]
            code = _exit_code_of(path)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"{path} {args} ran longer than {timeout} s")
        time.sleep(0.01)
    texts = []
    for output in outputs:
        with open(output, encoding="utf-8", errors="replace") as f:
            texts.append(f.read())
        os.unlink(output)
    return ToolResult(os.waitstatus_to_exitcode(status), *texts)


def _exit_code_of(path: str) -> int:
    """Run a script as ``__main__``; exit code by the interpreter's rules."""
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        print(done.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001  (what the interpreter prints for any uncaught error)
        traceback.print_exc()
        return 1
    return 0


@dataclass
class TrainingRun:
    """A ``tools/train.py`` process on the tiny config, its work dir and its log file."""

    process: subprocess.Popen
    work_dir: Path
    log: Path

    def finish(self, timeout: float = 300.0) -> TrainingRun:
        """Wait for the process; fail the test with the end of its log unless it succeeded."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = f"nothing: killed after {timeout} s"
        if code != 0:
            pytest.fail(f"{' '.join(map(str, self.process.args))} exited {code}:\n"
                        f"{self.log.read_text(errors='replace')[-3000:]}")
        return self

    def _logged(self, key: str) -> dict[int, dict]:
        """Records of ``<timestamp>/vis_data/scalars.json`` that hold ``key``, by step (a
        resumed run has one timestamp folder per start; later starts win)."""
        records = {}
        for scalars in sorted(self.work_dir.glob("*/vis_data/scalars.json")):
            for line in scalars.read_text().splitlines():
                record = json.loads(line)
                if key in record:
                    records[record["step"]] = record
        return records

    def validation_metrics(self) -> dict[int, dict[str, float]]:
        """Per epoch, the validation metrics the run logged."""
        return {epoch: {key: value for key, value in record.items()
                        if key not in ("step", "time", "data_time")}
                for epoch, record in self._logged("avg_0.1:0.7").items()}

    def training_losses(self) -> dict[int, float]:
        """Per logged iteration (global step), the total training loss."""
        return {step: record["loss"] for step, record in self._logged("loss").items()}

    def state_dict(self, epoch: int) -> dict:
        """Model weights of the checkpoint of ``epoch``."""
        import torch

        checkpoint = torch.load(self.work_dir / f"epoch_{epoch}.pth", map_location="cpu",
                                weights_only=False)
        return checkpoint["state_dict"]


def start_training(work_dir: Path, *args: str, bench_dir: Path,
                   launcher: tuple[str, ...] = ()) -> TrainingRun:
    """Start ``tools/train.py`` on the tiny config in a fresh interpreter (or under
    ``launcher``, e.g. torchrun); stdout and stderr go to ``<work_dir>.log``."""
    command = list(launcher or (sys.executable,)) + [
        str(REPO / "tools" / "train.py"), str(TINY_CONFIG), "--work-dir", str(work_dir), *args]
    log = Path(f"{work_dir}.log")
    with open(log, "w") as stream:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(command, cwd=REPO, stdout=stream, stderr=subprocess.STDOUT,
                                   env=_child_environment({"BENCH_DIR": str(bench_dir)}))
    return TrainingRun(process, work_dir, log)


@pytest.fixture(scope="session")
def tiny_benchmark(tmp_path_factory) -> Path:
    """The `tiny` preset (seed 0), written once per session; tests copy what they corrupt."""
    from oat.datasets.synthetic import get_preset, make_benchmark

    folder = tmp_path_factory.mktemp("bench") / "tiny"
    make_benchmark(str(folder), get_preset("tiny"), seed=0, progress=False)
    return folder


@pytest.fixture(scope="session")
def two_reference_runs(tiny_benchmark, tmp_path_factory) -> tuple[TrainingRun, TrainingRun]:
    """Two uninterrupted single-process runs of the tiny config, same seed, run side by side."""
    root = tmp_path_factory.mktemp("reference")
    work_dirs = (root / "run_a", root / "run_b")
    runs = [start_training(w, bench_dir=tiny_benchmark) for w in work_dirs]
    return tuple(run.finish() for run in runs)


@pytest.fixture(scope="session")
def tool():
    """``tool(script, *args, env=None)`` -> :class:`ToolResult` (see :func:`run_tool`).

    Imports what every tool imports once here, so that forked children start warm (oat's own
    modules only: importing the plugin would register its names in this test process).
    """
    for module in WARM_MODULES:
        importlib.import_module(module)
    return run_tool


@pytest.fixture(scope="session")
def train():
    """``train(work_dir, *args, bench_dir=..., launcher=())`` -> a started :class:`TrainingRun`."""
    return start_training
