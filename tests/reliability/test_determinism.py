"""Same seed, same machine: two runs of the tiny config give identical metrics and weights."""
import torch
from numpy.testing import assert_equal


def test_two_runs_with_the_same_seed_log_identical_metrics_losses_and_weights(two_reference_runs):
    first, second = two_reference_runs
    metrics = first.validation_metrics()
    assert sorted(metrics) == [1, 2, 3]
    # the comparison must not be one between empty detection lists
    assert all(epoch["mAP@0.5"] > 0 for epoch in metrics.values()), metrics
    assert_equal(second.validation_metrics(), metrics)  # exact; NaN delays compare equal
    assert first.training_losses() and second.training_losses() == first.training_losses()
    weights, again = first.state_dict(3), second.state_dict(3)
    assert sorted(again) == sorted(weights)
    assert [name for name in weights if not torch.equal(weights[name], again[name])] == []
