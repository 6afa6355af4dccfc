"""Runs the stage graph: skip what is unchanged, resume what was interrupted, run the rest.

Each stage is a subprocess (clean registries, a crash stays in its stage) whose output goes to
``logs/<stage>.log`` and, unless quiet, to the terminal. Before it starts, its record is saved
as ``running`` with its fingerprint; afterwards as ``done`` with its outputs' identities, or
``failed`` / ``interrupted``. The next run then decides per stage (:func:`decide`).
"""
from __future__ import annotations

import dataclasses
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from mmengine.config import Config
from mmengine.logging import MMLogger, print_log

from onpoint_ext.pipeline.identity import (
    config_text, consumed_entries, file_identity, fingerprint, input_files, resolve_config,
    strings_in,
)
from onpoint_ext.pipeline.spec import PipelineSpec
from onpoint_ext.pipeline.stages import (
    PipelinePaths, Stage, build_stages, has_checkpoint, stage_env,
)
from onpoint_ext.pipeline.state import PipelineState, StageRecord

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
    """

    def __init__(self, spec: PipelineSpec, work_dir: str, force: Sequence[str] = (),
                 quiet: bool = False, python: str = sys.executable):
        self.spec, self.paths = spec, PipelinePaths(work_dir)
        os.makedirs(self.paths.logs, exist_ok=True)
        self.logger = MMLogger.get_instance(
            f"pipeline:{self.paths.root}:{time.time_ns()}",
            log_file=os.path.join(self.paths.root, "pipeline.log"), log_level="INFO")
        self.state = PipelineState(self.paths.root)
        self.quiet, self.python = quiet, python
        self.env = stage_env(spec, self.paths)
        self._configs: dict[tuple, Config] = {}
        self.stages = build_stages(spec, self.paths, self._reads_cache)
        unknown = sorted(set(force) - {stage.name for stage in self.stages})
        if unknown:
            raise KeyError(f"--force: unknown stages {unknown}; stages: "
                           f"{[stage.name for stage in self.stages]}")
        self.force = set(force)

    def _config(self, path: str, options: dict) -> Config:
        key = (path, repr(sorted(options.items())))
        if key not in self._configs:
            self._configs[key] = resolve_config(path, self.env, options)
        return self._configs[key]

    def _reads_cache(self, method) -> bool:
        config = self._config(method.config, method.cfg_options)
        return self.paths.cache in set(strings_in(consumed_entries(config)))

    def run(self) -> None:
        """Run every stage in order; raises :class:`StageFailed` or KeyboardInterrupt."""
        started = time.time()
        self.state.plan = dataclasses.asdict(self.spec)
        self.state.order = [stage.name for stage in self.stages]
        self.state.save()
        for index, stage in enumerate(self.stages, start=1):
            self._run_stage(stage, f"[{index}/{len(self.stages)}] {stage.name}")
        self._log(f"pipeline finished in {time.time() - started:.1f} s; report: "
                  f"{self.paths.report}")

    def fingerprint_parts(self, stage: Stage) -> dict:
        """Everything the stage's result depends on (see ``identity``)."""
        arguments = stage.arguments()
        config = self._config(stage.config, stage.cfg_options) if stage.config else None
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
            self.state.update(stage.name, record)
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
        attempt = StageRecord("running", current, command=command, seconds=spent[0],
                              cpu_seconds=spent[1], action="resumed" if action == "resume"
                              else "ran")
        self.state.update(stage.name, attempt)
        begin, cpu_before = time.time(), _children_cpu_seconds()

        def account(status: str) -> None:
            attempt.status = status
            attempt.seconds = spent[0] + time.time() - begin
            attempt.cpu_seconds = spent[1] + _children_cpu_seconds() - cpu_before

        try:
            returncode = self._execute(stage, command)
        except KeyboardInterrupt:
            account("interrupted")
            self.state.update(stage.name, attempt)
            raise
        if returncode != 0:
            account("failed")
            self.state.update(stage.name, attempt)
            log = os.path.join(self.paths.logs, f"{stage.name}.log")
            raise StageFailed(f"stage {stage.name} failed (exit code {returncode}); see {log}")
        account("done")
        attempt.outputs = {path: file_identity(path) for path in stage.outputs()}
        attempt.result = fingerprint(dict(fingerprint=current, outputs=attempt.outputs))
        attempt.finished = time.strftime("%Y-%m-%d %H:%M:%S")
        self.state.update(stage.name, attempt)
        self._log(f"{label}: done in {attempt.seconds:.1f} s ({attempt.cpu_seconds:.1f} CPU s)")

    def _execute(self, stage: Stage, command: list[str]) -> int:
        """Run the command; its output goes to the stage's log (and the terminal)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}  # live progress through the pipe
        log_path = os.path.join(self.paths.logs, f"{stage.name}.log")
        with open(log_path, "ab", buffering=0) as log:
            log.write(f"\n$ {' '.join(command)}\n".encode())
            log.flush()
            process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT)
            try:
                for chunk in iter(lambda: process.stdout.read1(65536), b""):
                    log.write(chunk)
                    if not self.quiet:
                        sys.stdout.buffer.write(chunk)
                        sys.stdout.flush()
            except KeyboardInterrupt:
                _stop(process)
                raise
        return process.wait()

    def _log(self, message: str) -> None:
        print_log(message, logger=self.logger)


def _children_cpu_seconds() -> float:
    """User + system CPU time of all finished (waited-for) subprocesses so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _outputs_present(stage: Stage) -> bool:
    try:
        return all(os.path.isfile(path) for path in stage.outputs())
    except FileNotFoundError:
        return False


def _stop(process: subprocess.Popen, grace_seconds: float = 10.0) -> None:
    """Interrupt a stage's subprocess like Ctrl-C would; kill it if it does not end in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _move_aside(work_dir: str) -> None:
    """Keep one earlier run: ``work_dir`` -> ``work_dir.previous`` (replacing an older one)."""
    previous = work_dir + ".previous"
    if os.path.exists(previous):
        shutil.rmtree(previous)
    os.replace(work_dir, previous)
