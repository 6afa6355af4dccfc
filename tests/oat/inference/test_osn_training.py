"""SuppressNet training data (oat-spec §6.4 "make", in steps) and training."""
import numpy as np
import torch
from numpy.testing import assert_array_equal

from oat.inference import OnlineVideoPredictor
from oat.inference.osn_training import OSNQueues, OSNTables, make_osn_tables, train_suppressnet


def survivors(*rows) -> dict:
    """A StepNMS predictor result in steps from rows (start, end, label, score, step)."""
    columns = [np.array(column, dtype=np.float64) for column in zip(*rows)]
    return dict(video_id="v", segments=np.stack(columns[:2], axis=1), labels=columns[2].astype(int),
                scores=columns[3], emit_times=columns[4])


def upstream_input_table(result: dict, num_steps: int, num_classes: int, length: int):
    """The (T, L, C) table as upstream writes it: ``[g + i, L - 1 - i, c] = score``."""
    table = np.zeros((num_steps, length, num_classes), dtype=np.float32)
    for step, label, score in zip(result["emit_times"].astype(int), result["labels"],
                                  result["scores"]):
        for i in range(length):
            if step + i < num_steps:
                table[step + i, length - 1 - i, label] = score
    return table


def test_tables_keep_the_lowest_same_class_score_of_a_step_and_label_three_steps():
    result = survivors((0, 2, 0, 0.9, 0), (3, 4, 0, 0.5, 0), (1, 2, 1, 0.7, 2),
                       (0.5, 2.2, 1, 0.6, 3))  # the last one loses to (1, 2) in offline NMS
    tables = make_osn_tables(result, num_steps=5, num_classes=2)
    assert_array_equal(tables.newest, np.float32([[0.5, 0], [0, 0], [0, 0.7], [0, 0.6], [0, 0]]))
    assert_array_equal(tables.labels, np.float32([[1, 0], [1, 0], [1, 1], [0, 1], [0, 1]]))


def test_queues_cut_on_the_fly_equal_upstreams_input_table():
    rng = np.random.default_rng(0)
    rows = [(0, 1, int(rng.integers(3)), float(rng.random()), step)
            for step in range(12) for _ in range(int(rng.integers(3)))]
    result = survivors(*rows)
    tables = [make_osn_tables(result, 12, 3), make_osn_tables(survivors(rows[0]), 4, 3)]
    queues = OSNQueues(tables, queue_length=5)
    expected = np.concatenate([upstream_input_table(result, 12, 3, 5),
                               upstream_input_table(survivors(rows[0]), 4, 3, 5)])
    assert len(queues) == 16
    assert_array_equal(queues.queues(torch.arange(16)).numpy(), expected)


def test_training_learns_a_simple_emit_rule_and_keeps_the_best_selection_epoch():
    rng = np.random.default_rng(1)
    newest = (rng.random((320, 2)) < 0.2).astype(np.float32) * 0.8
    labels = np.zeros_like(newest)
    labels[newest > 0] = 1.0  # emit right when a score arrives
    data = OSNQueues([OSNTables(newest, labels)], queue_length=8)
    network, history = train_suppressnet(data, data, epochs=3, batch_size=32, lr=2e-2, lr_step=3)
    losses = [record["selection_loss"] for record in history]
    assert len(history) == 3 and losses[-1] < 0.7 * losses[0]
    with torch.inference_mode():
        best = torch.nn.functional.binary_cross_entropy(
            network(data.queues(torch.arange(len(data)))), data.labels).item()
    assert abs(best - min(losses)) < 0.05


def test_predictor_with_step_nms_in_step_units_feeds_the_tables(tiny_model):
    features = torch.randn(20, 8, generator=torch.Generator().manual_seed(2))
    meta = dict(video_id="v", duration=20.0, num_steps=20, gt_segments=None, gt_labels=None)
    result = OnlineVideoPredictor(dict(type="StepNMS"))(tiny_model, features, meta)
    assert set(np.unique(result["emit_times"])) <= set(range(20))
    tables = make_osn_tables(result, 20, tiny_model.num_classes)
    assert tables.newest.shape == (20, 3) and tables.newest.max() > 0 and tables.labels.max() == 1
