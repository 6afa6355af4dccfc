"""benchmarks/loss_gradients.py and benchmarks/ant_baselines.py: the numbers they report."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gradients = load(ROOT / "benchmarks" / "loss_gradients.py")
ant = load(ROOT / "benchmarks" / "ant_baselines.py")
distiller = load(ROOT / "tests" / "onpoint_ext" / "test_distiller.py")


def test_gradient_norms_are_per_term_and_see_a_detached_l_ant_as_zero():
    inputs, samples = distiller.batch()
    model = distiller.build(ant_detach_encoder=True)
    losses = model(inputs, samples, mode="loss")
    params = gradients.shared_parameters(model)
    norms = gradients.loss_gradient_norms(losses, params)
    assert set(norms) == set(losses) | {"L_ins"}
    assert norms["loss_ant"] == 0.0 and norms["loss_cass"] > 0 and norms["L_ins"] > 0
    doubled = gradients.loss_gradient_norms({"x": 2 * losses["loss_cass"]}, params)["x"]
    assert doubled == pytest.approx(2 * norms["loss_cass"], rel=1e-5)


def test_persistence_beats_the_prior_when_the_active_class_continues():
    cas = np.zeros((40, 3), dtype=np.float32)
    cas[:, -1] = 1.0
    cas[10:30, 0], cas[10:30, -1] = 0.9, 0.1  # class 0 active for 20 steps
    targets, present = ant.targets_and_present(cas, horizon=4)
    assert targets[9:29, 0].all() and not targets[30:, 0].any() and not targets[:, 1].any()
    result = ant.baselines(targets, present)
    assert result["persistence"]["l_ant"] < result["prior"]["l_ant"]
    # the prior of class 0 is the fraction of steps with a future class-0 step
    prior = targets[:, 0].mean()
    expected = -(prior * np.log(prior) + (1 - prior) * np.log(1 - prior)) - np.log(1 - 1e-6)
    assert result["prior"]["l_ant"] == pytest.approx(expected, rel=1e-4)
    assert result["persistence"]["accuracy"] > result["prior"]["accuracy"]
