"""Runs the stage graph: skip what is unchanged, resume what was interrupted, run the rest.

Each stage is a subprocess (clean registries, a crash stays in its stage) whose output goes to
``logs/<stage>.log`` and, unless quiet or several stages run at once, to the terminal. Before it
starts, its record is saved as ``running`` with its fingerprint; afterwards as ``done`` with its
outputs' identities, or ``failed`` / ``interrupted``. The next run then decides per stage
(:func:`decide`).

With ``jobs > 1`` stages whose ``needs`` are done run side by side (e.g. the students, which only
need the teacher cache), each with ``cpu_count // jobs`` OpenMP threads unless
``OMP_NUM_THREADS`` is set: two one-thread trainings on two cores do 1.5x the work of one
two-thread training (measured on the mini student), because small models scale poorly across
threads.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from mmengine.logging import MMLogger, print_log

from pipeline.identity import (
    config_text,
    consumed_entries,
    file_identity,
    fingerprint,
    input_files,
    resolve_config,
    strings_in,
)
from pipeline.machine import machine_description
from pipeline.processes import StageProcesses, last_line
from pipeline.spec import PipelineSpec
from pipeline.stages import (
    PipelinePaths,
    Stage,
    build_stages,
    has_checkpoint,
    stage_env,
)
from pipeline.state import PipelineState, StageRecord

ACTIONS = ("skip", "resume", "restart", "run")


class StageFailed(RuntimeError):
    """A stage's subprocess exited with an error; the message names the stage and its log."""


def decide(record: StageRecord | None, current: str, outputs_present: bool, resumable: bool,
           checkpoint_present: bool, forced: bool = False) -> str:
    """What to do with one stage; one of :data:`ACTIONS`.

    - ``skip``: it finished with the same fingerprint and its outputs are still there;
    - ``resume``: a training run left a checkpoint but never finished with this fingerprint
      (interrupted, failed, or unknown to the state file): continue it with ``--resume``;
    - ``restart``: a training run's checkpoint belongs to other inputs (or ``forced``): move
      its work dir aside to ``<work_dir>.previous`` and train from scratch;
    - ``run``: run it (its tool overwrites its outputs atomically).
    """
    same = record is None or record.fingerprint == current
    if not forced and record is not None and record.status == "done" and same and outputs_present:
        return "skip"
    if resumable and checkpoint_present:
        unfinished = record is None or record.status != "done"
        return "resume" if same and unfinished and not forced else "restart"
    return "run"


class PipelineRunner:
    """Runs the stages of one pipeline in one work dir.

    Args:
        spec: the parsed pipeline config.
        work_dir: the pipeline's work dir (created).
        force: stage names to run even when unchanged.
        quiet: stage output only to the log files, not to the terminal.
        jobs: how many stages may run at once (their output then goes to the log files only,
            with the last line of each running stage's log printed every ``progress_seconds``).
    """

    def __init__(self, spec: PipelineSpec, work_dir: str, force: Sequence[str] = (),
                 quiet: bool = False, python: str = sys.executable, jobs: int = 1,
                 progress_seconds: float = 30.0):
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.spec, self.paths = spec, PipelinePaths(work_dir)
        os.makedirs(self.paths.logs, exist_ok=True)
        self.logger = MMLogger.get_instance(
            f"pipeline:{self.paths.root}:{time.time_ns()}",
            log_file=os.path.join(self.paths.root, "pipeline.log"), log_level="INFO")
        self.state = PipelineState(self.paths.root)
        self.quiet, self.python = quiet or jobs > 1, python
        self.jobs, self.progress_seconds = jobs, progress_seconds
        self.env = stage_env(spec, self.paths)
        if jobs > 1 and "OMP_NUM_THREADS" not in {**os.environ, **self.env}:
            self.env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // jobs))
        self._state_lock = threading.Lock()  # stages finish in worker threads
        self.processes = StageProcesses()
        self.stages = build_stages(spec, self.paths, self._reads_cache)
        unknown = sorted(set(force) - {stage.name for stage in self.stages})
        if unknown:
            raise KeyError(f"--force: unknown stages {unknown}; stages: "
                           f"{[stage.name for stage in self.stages]}")
        self.force = set(force)

    def _reads_cache(self, method) -> bool:
        config = resolve_config(method.config, self.env, method.cfg_options)
        return self.paths.cache in set(strings_in(consumed_entries(config)))

    def run(self) -> None:
        """Run every stage, at most ``jobs`` at once and each after its ``needs``; raises
        :class:`StageFailed` (after the stages already running have finished) or
        KeyboardInterrupt (after stopping the running stages)."""
        started = time.time()
        self.state.plan = dataclasses.asdict(self.spec)
        self.state.order = [stage.name for stage in self.stages]
        self.state.save()
        labels = {stage.name: f"[{index}/{len(self.stages)}] {stage.name}"
                  for index, stage in enumerate(self.stages, start=1)}
        pending, finished = list(self.stages), set()
        running: dict[Future, Stage] = {}
        failures: list[BaseException] = []
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            try:
                while pending or running:
                    for stage in [s for s in pending if set(s.needs) <= finished]:
                        if failures or len(running) >= self.jobs:
                            break
                        pending.remove(stage)
                        running[pool.submit(self._run_stage, stage, labels[stage.name])] = stage
                    if not running:
                        break  # a failure stopped the scheduling, or needs can never be met
                    done, _ = wait(running, timeout=self.progress_seconds,
                                   return_when=FIRST_COMPLETED)
                    for future in done:
                        stage = running.pop(future)
                        if future.exception() is None:
                            finished.add(stage.name)
                        else:
                            failures.append(future.exception())
                    if not done and self.jobs > 1:
                        self._show_progress(running.values())
            except KeyboardInterrupt:
                self.processes.stop()
                raise
        if failures:
            raise failures[0]
        if pending:
            raise StageFailed(f"stages {[s.name for s in pending]} need stages that are not in "
                              "this pipeline")
        self._log(f"pipeline finished in {time.time() - started:.1f} s; report: "
                  f"{self.paths.report}")

    def _show_progress(self, stages) -> None:
        """One line per running stage: the last line of its log."""
        for stage in stages:
            line = last_line(os.path.join(self.paths.logs, f"{stage.name}.log"))
            self._log(f"  {stage.name}: {line[:160]}")

    def fingerprint_parts(self, stage: Stage) -> dict:
        """Everything the stage's result depends on (see ``identity``)."""
        arguments = stage.arguments()
        # Resolved now, not when the run started: a config edited during a long run is
        # fingerprinted as the stage's tool will read it.
        config = resolve_config(stage.config, self.env, stage.cfg_options) if stage.config else None
        named = [arguments, consumed_entries(config) if config is not None else {}]
        upstream = {}
        for name in stage.needs:
            record = self.state.record(name)
            upstream[name] = record.result if record is not None else ""
        return dict(
            tool=stage.tool, arguments=arguments, cfg_options=stage.cfg_options,
            config=config_text(config) if config is not None else None, env=self.env,
            inputs=input_files(named, exclude_dirs=[stage.work_dir]), upstream=upstream,
            settings=stage.settings,
        )

    def _run_stage(self, stage: Stage, label: str) -> None:
        current = fingerprint(self.fingerprint_parts(stage))
        record = self.state.record(stage.name)
        forced = stage.name in self.force
        action = decide(record, current, _outputs_present(stage), stage.resumable,
                        stage.resumable and has_checkpoint(stage.work_dir), forced)
        if action == "skip":
            record.action = "skipped"
            self._save(stage.name, record)
            self._log(f"{label}: unchanged since {record.finished}, skipped")
            return
        if action == "restart":
            _move_aside(stage.work_dir)
            self._log(f"{label}: {'forced' if forced else 'inputs changed'}; previous run moved "
                      f"to {stage.work_dir}.previous")
        command = stage.command(self.python, resume=action == "resume")
        verb = "resuming from its last checkpoint" if action == "resume" else "running"
        self._log(f"{label}: {verb}: {' '.join(command)}")
        # A resumed run's time adds to what the interrupted attempt(s) had spent.
        spent = (record.seconds, record.cpu_seconds) if action == "resume" and record else (0, 0)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}  # live progress through the pipe
        attempt = StageRecord("running", current, command=command, seconds=spent[0],
                              cpu_seconds=spent[1], action="resumed" if action == "resume"
                              else "ran", machine=machine_description(env))
        self._save(stage.name, attempt)
        begin = time.time()

        def account(status: str, cpu_seconds: float) -> None:
            attempt.status = status
            attempt.seconds = spent[0] + time.time() - begin
            attempt.cpu_seconds = spent[1] + cpu_seconds

        returncode, cpu_seconds = self.processes.run(
            stage.name, command, env, os.path.join(self.paths.logs, f"{stage.name}.log"),
            echo=not self.quiet)
        if self.processes.stopping:
            account("interrupted", cpu_seconds)
            self._save(stage.name, attempt)
            raise KeyboardInterrupt
        if returncode != 0:
            account("failed", cpu_seconds)
            self._save(stage.name, attempt)
            log = os.path.join(self.paths.logs, f"{stage.name}.log")
            raise StageFailed(f"stage {stage.name} failed (exit code {returncode}); see {log}")
        account("done", cpu_seconds)
        attempt.outputs = {path: file_identity(path) for path in stage.outputs()}
        attempt.result = fingerprint(dict(fingerprint=current, outputs=attempt.outputs))
        attempt.finished = time.strftime("%Y-%m-%d %H:%M:%S")
        self._save(stage.name, attempt)
        self._log(f"{label}: done in {attempt.seconds:.1f} s ({attempt.cpu_seconds:.1f} CPU s)")

    def _save(self, name: str, record: StageRecord) -> None:
        with self._state_lock:
            self.state.update(name, record)

    def _log(self, message: str) -> None:
        print_log(message, logger=self.logger)


def _outputs_present(stage: Stage) -> bool:
    try:
        return all(os.path.isfile(path) for path in stage.outputs())
    except FileNotFoundError:
        return False


def _move_aside(work_dir: str) -> None:
    """Keep one earlier run: ``work_dir`` -> ``work_dir.previous`` (replacing an older one)."""
    previous = work_dir + ".previous"
    if os.path.exists(previous):
        shutil.rmtree(previous)
    os.replace(work_dir, previous)
