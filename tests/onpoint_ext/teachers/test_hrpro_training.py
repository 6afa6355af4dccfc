"""HR-Pro teacher training: prototype init hook, a Runner smoke run, and learning the tiny set."""
from types import SimpleNamespace

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner
from torch.testing import assert_close

from oat.registry import DATASETS, HOOKS, MODELS
from onpoint_ext.teachers.quality import pseudo_label_quality


def _prototype_means(model, dataset) -> torch.Tensor:
    """Mean embedded feature of each class over all point snippets, computed directly."""
    model.eval()
    sums, counts = torch.zeros(2, 16), torch.zeros(2)
    with torch.no_grad():
        for index in range(len(dataset)):
            item = dataset[index]
            embedded = model.network(item["inputs"], torch.zeros(2, 16)).embedded
            points = item["data_samples"]["point_matrix"]
            sums += points.t() @ embedded
            counts += points.sum(0)
    return sums / counts[:, None]


def test_init_hook_sets_prototypes_to_point_feature_means_once(tiny_runner_cfg):
    torch.manual_seed(0)
    model = MODELS.build(tiny_runner_cfg["model"])
    dataset = DATASETS.build(tiny_runner_cfg["train_dataloader"]["dataset"])
    runner = SimpleNamespace(model=model, train_dataloader=SimpleNamespace(dataset=dataset))
    hook = HOOKS.build(dict(type="HRProPrototypeInitHook"))
    hook.before_train(runner)
    assert_close(model.memory.prototypes, _prototype_means(model, dataset))
    model.memory.prototypes.fill_(7.0)  # as if resumed from a checkpoint
    hook.before_train(runner)
    assert (model.memory.prototypes == 7.0).all()


def test_runner_trains_saves_and_evaluates_the_teacher(tiny_runner_cfg, tmp_path):
    runner = Runner.from_cfg(Config(tiny_runner_cfg))
    runner.train()
    model = runner.model
    assert bool(model.memory.initialized)
    assert (tmp_path / "work" / "iter_3.pth").is_file()
    metrics = runner.val_loop.run()
    assert 0.0 <= metrics["avg_0.1:0.7"] <= 1.0


def test_teacher_learns_pseudo_segments_on_the_tiny_benchmark(tiny_runner_cfg):
    torch.manual_seed(0)
    model = MODELS.build(tiny_runner_cfg["model"])
    dataset = DATASETS.build(tiny_runner_cfg["train_dataloader"]["dataset"])
    items = [dataset[i] for i in range(len(dataset))]
    model.initialize_prototypes(items)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=5e-4)
    batch = pseudo_collate(items)
    model.train()
    for _ in range(20):
        loss = sum(model(batch["inputs"], batch["data_samples"], mode="loss").values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    outputs = {item["data_samples"]["video_id"]: model.teacher_outputs(item["inputs"],
                                                                       item["data_samples"])
               for item in items}
    report = pseudo_label_quality(dataset.annotations, outputs)
    assert report["recall"] >= 0.7 and report["precision"] >= 0.7, report  # untrained: 0.14
    assert report["frame_accuracy"] >= 0.75, report  # untrained: 0.6-0.7
