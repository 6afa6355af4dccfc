"""HR-Pro stage-1 network: shapes, fused CAS, video scores, prototype tokens."""
import pytest
import torch
from torch.testing import assert_close

from oat.registry import MODELS
from onpoint_ext.teachers.hrpro.network import fuse_cas, video_scores


@pytest.fixture
def network(tiny_network_cfg):
    torch.manual_seed(0)
    return MODELS.build(tiny_network_cfg).eval()


def test_fused_cas_scales_actions_by_one_minus_background_and_keeps_background_last():
    fused = fuse_cas(torch.tensor([[0.5, 0.2, 0.4]]))
    assert_close(fused, torch.tensor([[0.3, 0.12, 0.4]]))


def test_network_outputs_have_teacher_grid_shapes(network):
    output = network(torch.randn(13, 8), torch.zeros(2, 16))
    assert output.scores.shape == output.cas.shape == (13, 3)
    assert output.embedded.shape == (13, 16)
    assert_close(output.cas, fuse_cas(output.scores))
    assert ((output.cas >= 0) & (output.cas <= 1)).all()


def test_prototype_tokens_change_the_snippet_outputs(network):
    features = torch.randn(10, 8)
    with torch.no_grad():
        plain = network(features, torch.zeros(2, 16)).cas
        with_prototypes = network(features, torch.randn(2, 16)).cas
    assert not torch.allclose(plain, with_prototypes)


def test_video_scores_use_top_k_and_plain_mean_for_absent_classes_in_training():
    action = torch.tensor([[0.1, 0.2], [0.9, 0.4], [0.3, 0.6], [0.5, 0.0],
                           [0.1, 0.2], [0.1, 0.2], [0.1, 0.2], [0.1, 0.2],
                           [0.8, 0.2], [0.1, 0.2], [0.1, 0.2], [0.1, 0.2],
                           [0.1, 0.2], [0.1, 0.2], [0.1, 0.2], [0.7, 0.2]])  # T = 16 -> k = 2
    assert_close(video_scores(action), torch.tensor([0.85, 0.5]))
    trained = video_scores(action, torch.tensor([1.0, 0.0]))
    assert_close(trained, torch.tensor([0.85, action[:, 1].mean().item()]))
