"""SuppressNet training data ("make") and training (oat-spec §6.4).

Data, per video, in STEPS (so NMS overlaps are floored at 1 step): run OAT on every window,
decode, NMS within each step (:class:`~oat.inference.postprocessors.StepNMS`). The queue OSN
would see at step ``t`` is the per-step survivor scores of steps ``t-L+1 .. t`` (zeros before
the video start; within a step the last written, i.e. lowest, score of a class remains). The
label of step ``t`` and class ``c`` is 1 when offline NMS over all per-step survivors keeps a
proposal of class ``c`` made at a step in ``t-2 .. t`` (``label_span = 3`` steps).

Instead of upstream's ``(T, L, C)`` input table we keep each video's ``(T, C)`` newest-row
matrix and cut the ``(L, C)`` queues from it on the fly: identical values, ``L`` times less
memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.logging import print_log
from torch.nn import functional as F

from oat.inference.nms import classwise_nms
from oat.inference.proposals import Proposals
from oat.inference.suppressnet import SuppressNet


@dataclass(frozen=True)
class OSNTables:
    """One video's OSN data: ``newest (T, C)`` per-step survivor scores (float32) and
    ``labels (T, C)`` emit-now targets (0/1 float32)."""

    newest: np.ndarray
    labels: np.ndarray


def make_osn_tables(
    survivors: dict,
    num_steps: int,
    num_classes: int,
    label_span: int = 3,
    nms_threshold: float = 0.3,
    overlap_floor: float = 1.0,
) -> OSNTables:
    """OSN tables of one video from its per-step NMS survivors, in step units.

    Args:
        survivors: an ``OnlineVideoPredictor`` result with a ``StepNMS`` post-processor and
            ``duration == num_steps`` (so "seconds" are steps): ``segments (K, 2)``,
            ``labels (K,)``, ``scores (K,)``, ``emit_times (K,)`` (the step of each proposal),
            steps ascending, best score first within a step.
    """
    steps = np.asarray(survivors["emit_times"], dtype=np.float64)
    if len(steps) and (np.any(steps != np.round(steps)) or steps.max() >= num_steps):
        raise ValueError(
            f"video {survivors.get('video_id')!r}: emit_times must be step indices < {num_steps} "
            "(run the predictor with duration == num_steps)"
        )
    labels = np.asarray(survivors["labels"], dtype=np.int64)
    scores = np.asarray(survivors["scores"], dtype=np.float64)
    newest = np.zeros((num_steps, num_classes), dtype=np.float32)
    for step, label, score in zip(steps.astype(np.int64).tolist(), labels.tolist(), scores):
        newest[step, label] = score  # later (lower-scored) survivors overwrite: quirk 11
    segments = np.asarray(survivors["segments"], dtype=np.float64).reshape(-1, 2)
    everything = Proposals(segments[:, 0], segments[:, 1], labels, scores, steps)
    targets = np.zeros((num_steps, num_classes), dtype=np.float32)
    for index in classwise_nms(everything, nms_threshold, overlap_floor).tolist():
        first = int(steps[index])
        targets[first : first + label_span, labels[index]] = 1.0
    return OSNTables(newest, targets)


class OSNQueues:
    """All ``(queue (L, C), label (C,))`` samples of several videos, one per step."""

    def __init__(self, tables: Sequence[OSNTables], queue_length: int = 64) -> None:
        if not tables:
            raise ValueError("OSNQueues needs at least one video")
        num_classes = tables[0].newest.shape[1]
        padding = np.zeros((queue_length - 1, num_classes), dtype=np.float32)
        rows, starts, offset = [], [], 0
        for table in tables:
            rows += [padding, table.newest]
            starts.append(offset + np.arange(len(table.newest)))
            offset += queue_length - 1 + len(table.newest)
        self.queue_length = queue_length
        self._rows = torch.from_numpy(np.concatenate(rows))
        self._starts = torch.from_numpy(np.concatenate(starts))
        self.labels = torch.from_numpy(np.concatenate([table.labels for table in tables]))

    def __len__(self) -> int:
        return len(self._starts)

    def queues(self, index: torch.Tensor) -> torch.Tensor:
        """(B,) sample indices -> (B, L, C) queues, newest row last."""
        rows = self._starts[index, None] + torch.arange(self.queue_length)
        return self._rows[rows]


def train_suppressnet(
    train: OSNQueues,
    selection: Optional[OSNQueues] = None,
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-4,
    weight_decay: float = 1e-4,
    lr_step: int = 3,
    seed: int = 52,
) -> tuple[SuppressNet, list[dict]]:
    """Trains SuppressNet with BCE (mean), Adam (L2 weight decay), StepLR(lr_step, 0.1).

    Keeps the epoch with the lowest summed selection loss (upstream: summed test-set batch
    losses); without a selection set, the last epoch. Returns the network (eval mode) and a
    per-epoch history of ``dict(epoch, train_loss, selection_loss)`` (mean batch losses).
    """
    torch.manual_seed(seed)
    network = SuppressNet(train.queue_length)
    optimizer = torch.optim.Adam(network.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=lr_step, gamma=0.1)
    generator = torch.Generator().manual_seed(seed)
    best_state, best_loss, history = None, float("inf"), []
    for epoch in range(epochs):
        network.train()
        order = torch.randperm(len(train), generator=generator)
        train_losses = []
        for batch in order.split(batch_size):
            loss = F.binary_cross_entropy_with_logits(
                network.logits(train.queues(batch)), train.labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            train_losses.append(loss.item())
        scheduler.step()
        selection_losses = _batch_losses(network, selection, batch_size) if selection else []
        record = dict(epoch=epoch, train_loss=float(np.mean(train_losses)),
                      selection_loss=float(np.mean(selection_losses)) if selection_losses else None)
        history.append(record)
        print_log(f"SuppressNet epoch {epoch}: {record}", logger="current")
        summed = sum(selection_losses)
        if selection is None or summed < best_loss:
            best_loss = summed
            best_state = {key: value.clone() for key, value in network.state_dict().items()}
    network.load_state_dict(best_state)
    return network.eval(), history


def _batch_losses(network: SuppressNet, data: OSNQueues, batch_size: int) -> list[float]:
    network.eval()
    with torch.inference_mode():
        return [
            F.binary_cross_entropy_with_logits(
                network.logits(data.queues(batch)), data.labels[batch]).item()
            for batch in torch.arange(len(data)).split(batch_size)
        ]
