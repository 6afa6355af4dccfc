"""The two version fixes of oat.compat, each with the failure it prevents."""
import os
import pickle
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

import oat  # noqa: F401  (installs the fixes)


def test_resume_loads_checkpoints_holding_python_objects(tmp_path):
    path = str(tmp_path / "epoch_1.pth")
    checkpoint = {
        "state_dict": {"w": torch.ones(2)},
        "message_hub": {"log_scalars": {"loss": HistoryBuffer([1.0, 2.0], [1, 1])}},
        "meta": {"seed": np.int64(52)},
    }
    torch.save(checkpoint, path)
    # What torch >= 2.6 does by default, and what mmengine 0.10.7's own loader calls:
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    loaded = CheckpointLoader.load_checkpoint(path, map_location="cpu")
    assert loaded["message_hub"]["log_scalars"]["loss"].current() == 2.0


def test_resume_fix_reports_a_missing_checkpoint_by_name(tmp_path):
    missing = str(tmp_path / "nope.pth")
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        CheckpointLoader.load_checkpoint(missing, map_location="cpu")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_WORKER = textwrap.dedent(
    """
    import sys, torch
    from oat.compat import init_cpu_distributed
    mode = sys.argv[1]
    if mode == "mmengine":
        from mmengine.dist import init_dist
        init_dist("pytorch", backend="gloo")
    else:
        assert init_cpu_distributed()
    x = torch.tensor([float(torch.distributed.get_rank() + 1)])
    torch.distributed.all_reduce(x)
    print("sum", x.item())
    torch.distributed.destroy_process_group()
    """
)


def _run_two_ranks(mode: str) -> list[subprocess.CompletedProcess]:
    port = _free_port()
    procs = []
    for rank in range(2):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2",
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), CUDA_VISIBLE_DEVICES="")
        procs.append(subprocess.Popen([sys.executable, "-c", _WORKER, mode], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in procs]


@pytest.mark.skipif(torch.cuda.is_available(), reason="the fix concerns CPU-only torch")
def test_cpu_torchrun_starts_a_gloo_group_where_mmengine_launcher_fails():
    broken = _run_two_ranks("mmengine")
    assert all(p.returncode != 0 for p in broken)  # torch.cuda.set_device on CPU-only torch
    fixed = _run_two_ranks("fixed")
    assert [p.returncode for p in fixed] == [0, 0], fixed[0].stderr[-2000:]
    assert all("sum 3.0" in p.stdout for p in fixed)
