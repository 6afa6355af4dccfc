"""Generated timelines: determinism, preset sizes, and the real-dataset statistics they follow."""
import numpy as np
import pytest

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation
from oat.datasets.synthetic import generate_timelines, get_preset
from oat.datasets.synthetic.generator import num_steps_for
from oat.datasets.synthetic.statistics import timeline_statistics


def test_timelines_are_identical_for_one_seed_and_differ_across_seeds():
    preset = get_preset("thumos14-mini")
    first, again = generate_timelines(preset, 3), generate_timelines(preset, 3)
    other = generate_timelines(preset, 4)
    assert first.to_activitynet() == again.to_activitynet()
    assert first.to_activitynet() != other.to_activitynet()


@pytest.mark.parametrize(
    "name, num_train, num_test, num_classes, min_steps, max_steps",
    [("tiny", 6, 3, 3, 60, 200), ("thumos14-mini", 40, 20, 5, 125, 900)],
)
def test_small_presets_have_the_promised_sizes(
    name, num_train, num_test, num_classes, min_steps, max_steps
):
    preset = get_preset(name)
    annotations = generate_timelines(preset, 0)
    assert len(annotations.subset("train")) == num_train
    assert len(annotations.subset("test")) == num_test
    assert annotations.num_classes == num_classes
    assert annotations.classes == sorted(annotations.classes)
    steps = [num_steps_for(v.duration, preset.student.rate) for v in annotations.videos.values()]
    assert min_steps <= min(steps) and max(steps) <= max_steps


@pytest.fixture(scope="module")
def thumos14_timelines() -> AnnotationSet:
    """The full-size THUMOS preset's timelines (timelines only: cheap), seed 0."""
    return generate_timelines(get_preset("thumos14"), 0)


@pytest.mark.parametrize("name", ["tiny", "thumos14-mini", "thumos14"])
def test_every_video_holds_at_least_one_instance_inside_it(name, thumos14_timelines):
    annotations = (thumos14_timelines if name == "thumos14"
                   else generate_timelines(get_preset(name), 1))
    for video in annotations.videos.values():
        assert video.segments, video.video_id
        for seg in video.segments:
            assert 0.0 <= seg.start < seg.end <= video.duration, (video.video_id, seg)
            assert 0 <= seg.label < annotations.num_classes


def test_thumos14_timelines_follow_the_real_thumos_statistics(thumos14_timelines):
    # STATS.md §1-§2, train / test: video 150.5 / 161.7 s, instance 2.9 / 3.2 s (ln sigma 0.83),
    # gap 3.2 / 3.1 s, lead-in 9.5 / 9.9 s, coverage 0.28 / 0.31, 1 class per video,
    # 16.6% / 17.3% of instances overlap another, top class 16.6%.
    stats = timeline_statistics(thumos14_timelines)
    assert stats["videos"] == 412
    assert 125 <= stats["video_duration_median"] <= 190
    assert 2.3 <= stats["instance_duration_median"] <= 3.6
    assert 0.7 <= stats["ln_duration_sigma"] <= 0.95
    assert 2.4 <= stats["gap_median"] <= 4.0
    assert 20 <= stats["gap_p95"] <= 45  # heavy tail: p95 about 10x the median
    assert 6.5 <= stats["lead_in_median"] <= 13
    assert 0.24 <= stats["coverage"] <= 0.36
    assert stats["classes_per_video_median"] == 1
    assert 0.08 <= stats["overlapping_share"] <= 0.3
    assert 0.1 <= stats["top_class_share"] <= 0.25


def test_egtea_timelines_are_dense_and_multi_class_like_egtea():
    # STATS.md §3: video 942 s, 134 instances per video, instance 2.08 s (min 0.5), gap 1.34 s,
    # lead-in 50 s (min 24), coverage 0.55, 15 classes per video, 11.5% overlap.
    annotations = generate_timelines(get_preset("egtea"), 0)
    stats = timeline_statistics(annotations)
    assert 100 <= stats["instances_per_video_median"] <= 200
    assert 1.7 <= stats["instance_duration_median"] <= 2.5
    assert 1.0 <= stats["gap_median"] <= 1.7
    assert 40 <= stats["lead_in_median"] <= 62
    assert 0.45 <= stats["coverage"] <= 0.62
    assert 12 <= stats["classes_per_video_median"] <= 18
    assert 0.07 <= stats["overlapping_share"] <= 0.18
    shortest = min(s.end - s.start for v in annotations.videos.values() for s in v.segments)
    assert shortest >= 0.5 - 1e-9


def test_cliffdiving_instances_lie_inside_diving_instances(thumos14_timelines):
    annotations = thumos14_timelines
    cliff, diving = annotations.class_index("CliffDiving"), annotations.class_index("Diving")
    inside = total = 0
    for video in annotations.videos.values():
        outer = [s for s in video.segments if s.label == diving]
        for seg in (s for s in video.segments if s.label == cliff):
            total += 1
            inside += any(o.start <= seg.start and seg.end <= o.end for o in outer)
    assert total > 0 and inside / total > 0.85


def test_timeline_statistics_of_a_hand_made_video():
    # runs after merging: [2, 6] (two overlapping instances) and [8, 9]: gap 2, lead-in 2,
    # coverage 5 / 10, 2 of 3 instances overlap, 2 classes.
    video = VideoAnnotation("v", "train", 10.0, None,
                            [Segment(2.0, 5.0, 0), Segment(4.0, 6.0, 1), Segment(8.0, 9.0, 0)])
    stats = timeline_statistics(AnnotationSet(["a", "b"], {"v": video}))
    np.testing.assert_allclose(
        [stats["gap_median"], stats["lead_in_median"], stats["coverage"],
         stats["overlapping_share"], stats["classes_per_video_median"],
         stats["instance_duration_median"]],
        [2.0, 2.0, 0.5, 2 / 3, 2.0, 2.0],
    )
