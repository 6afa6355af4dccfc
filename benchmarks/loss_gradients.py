"""Which loss drives the shared features? Per-loss gradient norms on the encoder + projection.

    python benchmarks/loss_gradients.py CONFIG CHECKPOINT --batches 20 [--json out.json]

At a checkpoint, for each of ``--batches`` training batches, every logged loss term (weighted,
as trained: ``loss_ins_cls``, ``loss_ins_reg``, ``loss_cass``, ``loss_ant``, ``loss_pnt_*``) is
differentiated on its own with respect to the student's projection and encoder parameters, and
the L2 norm of that gradient (over all those parameters together) is recorded; ``L_ins`` is the
sum of the two instance terms. Printed: mean and std over batches. A term whose norm is much
larger than the others dominates the shared features (the reading ``ant_detach_encoder`` tests).
The dataloader is the config's ``train_dataloader`` (shuffled as configured); the model is in
train mode (dropout on), as in training.
"""
from __future__ import annotations

import argparse
import json
import tempfile

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from torch import nn

INSTANCE_TERMS = ("loss_ins_cls", "loss_ins_reg")


def shared_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The student's projection and encoder parameters (``model.student`` or the model)."""
    student = getattr(model, "student", model)
    return [p for part in (student.projection, student.encoder) for p in part.parameters()
            if p.requires_grad]


def loss_gradient_norms(losses: dict[str, torch.Tensor], params: list[nn.Parameter]
                        ) -> dict[str, float]:
    """{loss key: ||d loss / d params||_2} for every loss tensor, plus ``L_ins`` when present."""
    terms = dict(losses)
    if all(key in terms for key in INSTANCE_TERMS):
        terms["L_ins"] = sum(terms[key] for key in INSTANCE_TERMS)
    norms = {}
    for key, value in terms.items():
        grads = torch.autograd.grad(value, params, retain_graph=True, allow_unused=True)
        squares = [g.pow(2).sum() for g in grads if g is not None]
        norms[key] = float(torch.stack(squares).sum().sqrt()) if squares else 0.0
    return norms


def checkpoint_gradient_norms(runner: Runner, batches: int) -> dict[str, list[float]]:
    """Per-loss norms over ``batches`` training batches of the runner's model."""
    model = runner.model
    model.train()
    params = shared_parameters(model)
    history: dict[str, list[float]] = {}
    for index, batch in enumerate(runner.train_dataloader):
        if index == batches:
            break
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode="loss")
        for key, norm in loss_gradient_norms(losses, params).items():
            history.setdefault(key, []).append(norm)
    return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--json", help="also write the per-batch norms here")
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    with tempfile.TemporaryDirectory() as work_dir:
        cfg.work_dir = work_dir
        runner = Runner.from_cfg(cfg)
        runner.load_checkpoint(args.checkpoint)
        history = checkpoint_gradient_norms(runner, args.batches)
    print("| loss term | mean grad norm (encoder + projection) | std | batches |")
    print("|---|---|---|---|")
    for key, values in history.items():
        print(f"| {key} | {np.mean(values):.4f} | {np.std(values):.4f} | {len(values)} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(history, f, indent=2)


if __name__ == "__main__":
    main()
