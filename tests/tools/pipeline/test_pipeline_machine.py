"""What a stage record says about the machine that ran it."""
import json

from pipeline.machine import cpu_model
from pipeline.state import PipelineState


def test_a_state_file_written_before_records_named_their_machine_still_loads(tmp_path):
    record = dict(status="done", fingerprint="F", outputs={}, result="R", command=["x"],
                  seconds=1.0, cpu_seconds=1.0, finished="now", action="ran")
    (tmp_path / "pipeline_state.json").write_text(json.dumps(dict(
        version="pipeline-state-1", plan={}, order=["teacher"], stages=dict(teacher=record))))
    assert PipelineState(str(tmp_path)).record("teacher").machine == ""


def test_cpu_model_is_read_from_cpuinfo_and_falls_back_when_it_has_none(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Some CPU 9000\n")
    assert cpu_model(str(cpuinfo)) == "Some CPU 9000"
    cpuinfo.write_text("processor\t: 0\n")
    assert cpu_model(str(cpuinfo)) and cpu_model(str(cpuinfo)) != "Some CPU 9000"
    assert cpu_model(str(tmp_path / "missing")) == cpu_model(str(cpuinfo))
