"""kill -9 after the first checkpoint, then ``--resume``: training ends where an uninterrupted
run with the same seed ends (same metrics, bit-identical weights)."""
import signal
import time

import torch
from numpy.testing import assert_equal


def test_training_killed_after_its_first_checkpoint_resumes_to_the_uninterrupted_result(
    two_reference_runs, tiny_benchmark, tmp_path, train
):
    work = tmp_path / "killed"
    killed = train(work, bench_dir=tiny_benchmark)
    # CheckpointHook writes last_checkpoint right after epoch_1.pth is complete
    deadline = time.monotonic() + 300
    while not (work / "last_checkpoint").exists() and killed.process.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint after 300 s"
        time.sleep(0.01)
    killed.process.send_signal(signal.SIGKILL)
    assert killed.process.wait() == -signal.SIGKILL, killed.log.read_text()[-3000:]
    assert (work / "epoch_1.pth").exists() and not (work / "epoch_3.pth").exists()

    resumed = train(work, "--resume", bench_dir=tiny_benchmark).finish()
    assert "resumed from" in resumed.log.read_text().lower()
    reference = two_reference_runs[0]
    metrics = resumed.validation_metrics()
    assert {2, 3} <= set(metrics)
    assert_equal(metrics, {epoch: reference.validation_metrics()[epoch] for epoch in metrics})
    losses, expected = resumed.training_losses(), reference.training_losses()
    assert losses and losses == {step: expected[step] for step in losses}
    weights, uninterrupted = resumed.state_dict(3), reference.state_dict(3)
    assert [name for name in weights if not torch.equal(weights[name], uninterrupted[name])] == []
