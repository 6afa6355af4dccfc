"""The pre-action generator, the generator switch, the -wide preset and the anticipation probe."""
import hashlib
import json
import random
import runpy
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from oat.datasets.annotations import Segment, VideoAnnotation
from oat.datasets.features import FeatureStore
from oat.datasets.synthetic import FeatureGenerator, generate_timelines, get_preset, make_benchmark
from oat.datasets.synthetic.latent import render_latent
from oat.datasets.synthetic.pre_action import pre_action_events, pre_action_span
from oat.datasets.synthetic.presets import generator_of, with_generator
from oat.datasets.synthetic.probe import step_labels
from oat.datasets.synthetic.probe_report import probe_benchmark
from oat.datasets.synthetic.seeding import rng_for

TOOL = Path(__file__).resolve().parents[3] / "tools" / "make_benchmark.py"

# sha256 of both views of every video of `tiny`, rounded to 3 decimals (the raw float32 bits
# differ between CPUs); re-pinned on 2026-12-07 from the plain generator, which the pre-action
# work left unchanged (the annotation and point files below are still the issue-2 bytes)
ISSUE_2_FEATURES = {
    0: "1070e32dfe0bc90b34209da160dfc55faf64a8132e09515dd0949f7f9fed8030",
    7: "6e0704d91141a170d1d5996c0f147278246357a97684806dc4f8b6f49afcb1c4",
}
ISSUE_2_FILES = {  # tiny, seed 0, the same
    "annotations.json": "744c182938da3ab622f2ba44a163b494f4d01981cbcaf932cdfe4ff3252bad5a",
    "points.csv": "417379fca67da005888f91f2e77598ba5fda4fded1e3158f1d7cfcfaca611749",
}


def _features_digest(preset, seed: int) -> str:
    annotations = generate_timelines(preset, seed)
    generator = FeatureGenerator(preset, annotations, seed)
    digest = hashlib.sha256()
    for video_id in sorted(annotations.videos):
        for view in ("student", "teacher"):
            features = generator.render(annotations.videos[video_id], view)
            digest.update(np.round(features.astype(np.float64), 3).tobytes())
    return digest.hexdigest()


def test_existing_preset_names_reproduce_the_issue_2_files_bit_for_bit(tmp_path):
    tiny = get_preset("tiny")
    assert generator_of(tiny) == "plain"
    for seed, expected in ISSUE_2_FEATURES.items():
        assert _features_digest(tiny, seed) == expected
    make_benchmark(str(tmp_path), tiny, 0, progress=False)
    for name, expected in ISSUE_2_FILES.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == expected
    assert _features_digest(with_generator(tiny, "pre-action"), 0) != ISSUE_2_FEATURES[0]


def test_context_span_ends_at_the_start_and_is_cut_by_the_previous_instance_and_video_start():
    segments = [Segment(1.0, 3.0, 0), Segment(4.0, 20.0, 1), Segment(10.0, 12.0, 0),
                Segment(30.0, 33.0, 1)]
    video = VideoAnnotation("v", "train", 60.0, 30.0, segments)
    assert pre_action_span(video, 0, 2.5) == (0.0, 1.0)  # video start
    assert pre_action_span(video, 1, 2.5) == (3.0, 4.0)  # previous instance ends at 3
    assert pre_action_span(video, 2, 2.5) == (7.5, 10.0)  # inside [4, 20]: not cut by it
    assert pre_action_span(video, 3, 2.5) == (27.5, 30.0)


def test_pre_action_adds_a_ramp_before_each_instance_and_changes_nothing_else():
    preset = with_generator(get_preset("tiny"), "pre-action")
    annotations = generate_timelines(preset, 0)
    plain = FeatureGenerator(get_preset("tiny"), annotations, 0)
    context = FeatureGenerator(preset, annotations, 0)
    for video in annotations.videos.values():
        steps = 5 * int(video.duration)
        bg_plain, act_plain = render_latent(plain.latent(video), steps)
        bg, act = render_latent(context.latent(video), steps)
        np.testing.assert_array_equal(bg, bg_plain)
        events = context.latent(video).events[len(plain.latent(video).events):]
        again = pre_action_events(video, context.pre_action_vectors, preset.latent,
                                  rng_for(0, "pre-action", video.video_id))
        assert [(e.start, e.end) for e in events] == [(e.start, e.end) for e in again]
        covered = np.zeros(steps, dtype=bool)
        width = video.duration / steps
        for event in events:
            covered[int(event.start / width):int(np.ceil(event.end / width))] = True
        changed = np.abs(act - act_plain).max(1) > 0
        assert changed.any() and not (changed & ~covered).any()
        pieces = preset.latent.pre_action.ramp_pieces
        for k in range(0, len(events), pieces):  # each ramp grows toward the action start
            norms = [np.linalg.norm(e.vector) for e in events[k:k + pieces]]
            assert norms == sorted(norms) and events[k + pieces - 1].end in \
                [s.start for s in video.segments]


def test_generator_switch_names_the_variant_and_rejects_unknown_ones():
    mini_pa = get_preset("thumos14-mini-pa")
    assert generator_of(mini_pa) == "pre-action"
    assert with_generator(mini_pa, "plain") == replace(
        get_preset("thumos14-mini"), name=mini_pa.name, description=mini_pa.description)
    with pytest.raises(ValueError, match="unknown feature generator 'v2'"):
        with_generator(mini_pa, "v2")


def test_wide_preset_keeps_the_training_videos_and_has_four_times_the_test_videos():
    mini, wide = get_preset("thumos14-mini-pa"), get_preset("thumos14-mini-wide")
    assert (wide.num_train, wide.num_test) == (mini.num_train, 4 * mini.num_test)
    small, large = generate_timelines(mini, 3), generate_timelines(wide, 3)
    train_segments = [v.segments for v in large.subset("train")]
    assert [v.segments for v in small.subset("train")] == train_segments
    first = small.subset("train")[0]
    np.testing.assert_array_equal(FeatureGenerator(mini, small, 3).render(first, "student"),
                                  FeatureGenerator(wide, large, 3).render(first, "student"))
    assert len(large.subset("test")) == 80


def test_shifted_labels_read_the_future_and_have_none_past_the_end():
    video = VideoAnnotation("v", "test", 10.0, 30.0, [Segment(4.0, 6.0, 0)])
    now, ahead = step_labels(video, 10, 1), step_labels(video, 10, 1, shift=2.0)
    assert now[:, 0].tolist() == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0]
    np.testing.assert_array_equal(ahead[:8], now[2:])
    assert np.isnan(ahead[8:]).all()


def test_pre_action_context_lets_the_probe_anticipate_and_plain_does_not():
    # docs/benchmark.md: 5-seed ratios 0.65 plain vs 0.81 pre-action (thumos14-mini)
    plain = probe_benchmark(get_preset("thumos14-mini"), 1, span=16)
    context = probe_benchmark(get_preset("thumos14-mini-pa"), 1, span=16)
    assert 0.70 < context["anticipation_ratio"] < 0.92
    assert context["anticipation_ratio"] - plain["anticipation_ratio"] > 0.03
    assert context["anticipation_map@2"] - plain["anticipation_map@2"] > 0.1
    for result in (plain, context):  # further ahead is harder
        assert result["anticipation_map@0.5"] > result["anticipation_map@2"]


def test_cli_generator_flag_selects_the_variant_and_meta_names_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["make_benchmark.py", "--preset", "tiny", "--out",
                                      str(tmp_path), "--generator", "pre-action", "--quiet"])
    runpy.run_path(str(TOOL), run_name="__main__")
    assert json.loads((tmp_path / "meta.json").read_text())["feature_generator"] == "pre-action"
    store = FeatureStore(str(tmp_path / "student.h5"))
    assert store.attrs["source"].endswith("generator=pre-action")
    store.close()


def test_benchmark_depends_on_its_own_seed_only_not_on_global_random_state():
    preset = get_preset("thumos14-mini-pa")
    digests = []
    for other in (1, 2):
        random.seed(other), np.random.seed(other), torch.manual_seed(other)
        digests.append(_features_digest(replace(preset, num_train=2, num_test=1), 5))
    assert digests[0] == digests[1]


def test_probe_tool_writes_per_seed_results_and_refuses_strength_without_pre_action(
    tmp_path, monkeypatch, capsys
):
    tool = TOOL.parent / "probe_benchmark.py"
    out = tmp_path / "probe.json"
    monkeypatch.setattr(sys, "argv", ["probe_benchmark.py", "--preset", "tiny", "--seeds", "0",
                                      "1", "--span", "8", "--json", str(out)])
    runpy.run_path(str(tool), run_name="__main__")
    record = json.loads(out.read_text())
    assert record["seeds"] == [0, 1] and record["generator"] == "plain"
    expected = probe_benchmark(get_preset("tiny"), 1, span=8)
    assert record["results"][1]["anticipation_ratio"] == pytest.approx(
        expected["anticipation_ratio"])
    assert "mean" in capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["probe_benchmark.py", "--preset", "tiny", "--generator",
                                      "plain", "--pre-action-strength", "1"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(tool), run_name="__main__")
    assert exit_info.value.code != 0 and "needs the pre-action" in capsys.readouterr().err
