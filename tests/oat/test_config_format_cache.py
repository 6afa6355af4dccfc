"""Runner start-up: mmengine's yapf formatting of a config is done once per config text."""
import mmengine.config.config as mmengine_config
from mmengine.config import Config

import oat.compat as compat


def test_pretty_text_formats_a_config_once_and_again_after_it_changes(monkeypatch):
    calls, original = [], compat._yapf_format

    def counting_format(text, **kwargs):
        calls.append(text)
        return original(text, **kwargs)

    assert mmengine_config.FormatCode is compat.cached_format_code  # the shim is installed
    monkeypatch.setattr(compat, "_yapf_format", counting_format)
    compat._format_once.cache_clear()
    cfg = Config(dict(model=dict(type="OATDetector", window=64), seed=52))
    first = cfg.pretty_text
    assert cfg.pretty_text == first and cfg.dump() == first and len(calls) == 1
    cfg.model.window = 32  # a changed config is formatted afresh
    assert "window=32" in cfg.pretty_text and len(calls) == 2
    compat._format_once.cache_clear()


def test_a_dumped_config_still_loads_with_the_same_content(tmp_path):
    cfg = Config(dict(model=dict(type="OATDetector", anchors=(4, 8)), optim=dict(lr=1e-4)))
    path = tmp_path / "dumped.py"
    cfg.dump(str(path))
    cfg.dump(str(tmp_path / "again.py"))  # second dump served from the cache
    loaded = Config.fromfile(str(path))
    assert loaded.to_dict() == cfg.to_dict()
    assert (tmp_path / "again.py").read_text() == path.read_text()
