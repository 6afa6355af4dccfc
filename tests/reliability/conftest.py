"""Shared pieces of the reliability tests: one tiny benchmark per session and a tool runner.

Tools run in a fresh interpreter each, exactly as ``python tools/X.py``, so exit codes and
stderr are the real ones. (Forking the warm test process was faster but could hang: a child
forked after torch's OpenMP pool has run may deadlock in its first parallel region.)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / "configs" / "oat" / "oat_bench-tiny.py"


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
    done = subprocess.run([sys.executable, path, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env=_child_environment(env))
    return ToolResult(done.returncode, done.stdout, done.stderr)


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
    """``tool(script, *args, env=None)`` -> :class:`ToolResult` (see :func:`run_tool`)."""
    return run_tool


@pytest.fixture(scope="session")
def train():
    """``train(work_dir, *args, bench_dir=..., launcher=())`` -> a started :class:`TrainingRun`."""
    return start_training
