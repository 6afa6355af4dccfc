"""Strict weight loading for evaluation tools: errors name the file and the differing keys."""
import pytest
import torch
from torch import nn
from torch.testing import assert_close

from oat.models.weights import load_model_weights


def _save(model: nn.Module, path, **extra) -> str:
    torch.save(dict(meta=dict(epoch=3), state_dict=model.state_dict(), **extra), path)
    return str(path)


def test_matching_checkpoint_is_loaded_and_its_meta_returned(tmp_path):
    source, target = nn.Linear(3, 2), nn.Linear(3, 2)
    meta = load_model_weights(target, _save(source, tmp_path / "ok.pth"))
    assert meta == dict(epoch=3)
    assert_close(target.weight, source.weight)


def test_checkpoint_of_another_model_names_the_file_and_the_keys(tmp_path):
    path = _save(nn.Sequential(nn.Linear(3, 4)), tmp_path / "other.pth")
    with pytest.raises(ValueError, match=r"other\.pth: not a checkpoint of this Sequential "
                       r"\(2 shape mismatches: 0\.weight is \(4, 3\) in the file, \(2, 3\)"):
        load_model_weights(nn.Sequential(nn.Linear(3, 2)), path)
    with pytest.raises(ValueError, match=r"2 missing keys: weight, bias; 2 unexpected keys: "
                       r"0\.weight, 0\.bias"):
        load_model_weights(nn.Linear(3, 4), path)


def test_unreadable_checkpoint_is_a_value_error_naming_the_file(tmp_path):
    path = _save(nn.Linear(3, 2), tmp_path / "cut.pth")
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:100])
    with pytest.raises(ValueError, match=r"cut\.pth: not a readable checkpoint"):
        load_model_weights(nn.Linear(3, 2), path)
    torch.save({"weights": 1}, tmp_path / "plain.pth")
    with pytest.raises(ValueError, match="'state_dict' entry"):
        load_model_weights(nn.Linear(3, 2), str(tmp_path / "plain.pth"))
    with pytest.raises(FileNotFoundError, match="missing.pth"):
        load_model_weights(nn.Linear(3, 2), str(tmp_path / "missing.pth"))
