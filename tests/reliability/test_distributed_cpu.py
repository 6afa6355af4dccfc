"""``torchrun --nproc_per_node=2 tools/train.py CONFIG --launcher pytorch`` on CPU (gloo) trains
and evaluates like one process with the same GLOBAL batch.

Why it can hold: dropout is 0 in the tiny config; DefaultSampler gives rank r the windows
``perm[r::2]`` of the single-process permutation, so 2 ranks of B/2 see the windows of each
global batch of B (full batches only: ``drop_last``); the regression loss is normalised by the
global foreground count (``oat.models.losses.mean_foreground_count_over_ranks``); DDP averages
gradients; mmengine gathers the validation results of both ranks.
"""
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from numpy.testing import assert_allclose
from torch.testing import assert_close

from oat.registry import MODELS

TINY_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "oat" / "oat_bench-tiny.py"
TOLERANCE = 1e-6  # on metrics; weights and outputs: 1e-5 (float32 sums in another order)


def _without_attention_key_bias(name: str, tensor: torch.Tensor) -> torch.Tensor:
    """The tensor without the key part of a fused attention input bias.

    Softmax ignores a shift common to all keys, so the gradient of the key bias is exactly 0
    in real arithmetic and rounding noise (~1e-10) in floats. Adam divides by the noise's own
    scale and turns it into lr-sized steps, different in every reduction order; the value
    never changes an output (checked below on the model outputs).
    """
    if not name.endswith("in_proj_bias"):
        return tensor
    width = tensor.shape[0] // 3
    return torch.cat([tensor[:width], tensor[2 * width :]])


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU (gloo) path of train.py")
def test_two_cpu_processes_train_like_one_process_with_the_same_global_batch(
    two_reference_runs, tiny_benchmark, tmp_path, train
):
    global_batch = Config.fromfile(str(TINY_CONFIG)).train_dataloader.batch_size
    torchrun = (sys.executable, "-m", "torch.distributed.run", "--standalone",
                "--nproc_per_node=2")
    # reg_graph_without_foreground=False: DDP must keep the regression graph by itself
    ddp = train(tmp_path / "ddp", "--launcher", "pytorch", "--cfg-options",
                f"train_dataloader.batch_size={global_batch // 2}",
                "model.reg_graph_without_foreground=False",
                bench_dir=tiny_benchmark, launcher=torchrun).finish()
    assert "MMDistributedDataParallel" in ddp.log.read_text()
    single = two_reference_runs[0]

    metrics, expected = ddp.validation_metrics(), single.validation_metrics()
    assert sorted(metrics) == sorted(expected) == [1, 2, 3]
    for epoch, values in expected.items():
        assert sorted(metrics[epoch]) == sorted(values)
        for key, value in values.items():
            assert_allclose(metrics[epoch][key], value, rtol=0, atol=TOLERANCE, err_msg=key)

    weights, reference = ddp.state_dict(3), single.state_dict(3)
    assert sorted(weights) == sorted(reference)
    for name, value in reference.items():
        assert_close(_without_attention_key_bias(name, weights[name]),
                     _without_attention_key_bias(name, value), rtol=0, atol=1e-5, msg=name)
    init_default_scope("oat")
    models = []
    for state in (weights, reference):
        model = MODELS.build(Config.fromfile(str(TINY_CONFIG)).model).eval()
        model.load_state_dict(state)
        models.append(model)
    generator = torch.Generator().manual_seed(0)
    windows = torch.rand(8, model.window, model.feat_dim, generator=generator)
    with torch.no_grad():
        assert_close(models[0](windows), models[1](windows), rtol=0, atol=1e-5)
