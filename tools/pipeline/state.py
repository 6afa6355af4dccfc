"""The pipeline's state file: what each stage last did, with which fingerprint, producing what.

``WORK_DIR/pipeline_state.json`` is rewritten atomically (temp file, then ``os.replace``) after
every change, so an interrupted run always leaves a readable state. A stage record is marked
``running`` with its fingerprint before its subprocess starts; an interruption therefore leaves
``running`` (or ``interrupted`` / ``failed``) behind, which the next run resumes or repeats.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from oat.datasets.annotations import read_json_checked, write_json_atomic

STATE_FILE = "pipeline_state.json"
STATE_VERSION = "pipeline-state-1"
STATUSES = ("running", "done", "failed", "interrupted")


@dataclass
class StageRecord:
    """The last execution of one stage.

    Attributes:
        status: one of :data:`STATUSES`.
        fingerprint: hash of the stage's inputs when it was started (``identity.fingerprint``).
        outputs: output file -> identity, recorded when the stage finished.
        result: hash of fingerprint + outputs; what downstream fingerprints include.
        command: the command line that ran.
        seconds: wall time of the last execution (a skipped stage keeps its earlier time).
        cpu_seconds: user + system CPU time of that execution (on a busy machine, closer to
            what the stage costs than its wall time).
        finished: local time the stage last finished (``YYYY-mm-dd HH:MM:SS``), or "".
        action: what the latest pipeline run did: ``ran``, ``resumed``, ``skipped``.
        machine: what ran it (``machine.machine_description``); "" in records written before
            stages named their machine.
    """

    status: str
    fingerprint: str
    outputs: dict[str, str] = field(default_factory=dict)
    result: str = ""
    command: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    finished: str = ""
    action: str = "ran"
    machine: str = ""


class PipelineState:
    """Stage records plus the resolved plan the report reads, kept in one json file."""

    def __init__(self, work_dir: str):
        self.path = os.path.join(work_dir, STATE_FILE)
        self.stages: dict[str, StageRecord] = {}
        self.plan: dict = {}
        self.order: list[str] = []  # the current pipeline's stages; records may hold more
        if os.path.isfile(self.path):
            self._read()

    def _read(self) -> None:
        data = read_json_checked(self.path)
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"{self.path}: field version is {data.get('version')!r}, expected "
                             f"{STATE_VERSION!r} (delete the file to start over)")
        self.plan = dict(data.get("plan", {}))
        self.order = list(data.get("order", []))
        for name, record in data.get("stages", {}).items():
            if record.get("status") not in STATUSES:
                raise ValueError(f"{self.path}: stage {name!r}: field status is "
                                 f"{record.get('status')!r}, expected one of {STATUSES}")
            self.stages[name] = StageRecord(**record)

    def save(self) -> None:
        """Write the state atomically."""
        stages = {name: asdict(record) for name, record in self.stages.items()}
        write_json_atomic(dict(version=STATE_VERSION, plan=self.plan, order=self.order,
                               stages=stages), self.path)

    def current(self) -> list[tuple[str, StageRecord]]:
        """(name, record) of the current pipeline's stages that have a record, in order."""
        return [(name, self.stages[name]) for name in self.order if name in self.stages]

    def record(self, name: str) -> StageRecord | None:
        """The stage's last record, or None when it never started in this work dir."""
        return self.stages.get(name)

    def update(self, name: str, record: StageRecord) -> None:
        """Replace a stage's record and save at once."""
        self.stages[name] = record
        self.save()
