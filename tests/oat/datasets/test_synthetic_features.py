"""The shared latent process, the two feature views, and the online-vs-offline probe."""
import numpy as np
import pytest

from oat.datasets.synthetic import FeatureGenerator, generate_timelines, get_preset
from oat.datasets.synthetic.latent import (
    Event,
    VideoLatent,
    build_class_phases,
    phase_spans,
    render_latent,
)
from oat.datasets.synthetic.noise import ar1_noise
from oat.datasets.synthetic.specs import LatentSpec
from oat.datasets.synthetic.probe import (
    average_precision,
    context_features,
    context_probe,
    fit_ridge,
    predict_ridge,
    step_labels,
)
from oat.datasets.synthetic.seeding import rng_for


@pytest.fixture(scope="module")
def mini():
    """thumos14-mini timelines and their feature generator, seed 0 (in memory)."""
    preset = get_preset("thumos14-mini")
    annotations = generate_timelines(preset, 0)
    return annotations, FeatureGenerator(preset, annotations, 0)


def test_phase_spans_split_an_instance_into_onset_body_and_offset():
    spec = LatentSpec(phase_fraction=0.25, phase_min=0.3, phase_max=1.5)
    assert phase_spans(10.0, 14.0, spec) == [
        ("onset", 10.0, 11.0), ("body", 11.0, 13.0), ("offset", 13.0, 14.0)]
    # capped at phase_max, and a short instance is onset then offset with no body
    assert phase_spans(0.0, 20.0, spec)[0] == ("onset", 0.0, 1.5)
    assert phase_spans(0.0, 0.4, spec) == [("onset", 0.0, 0.2), ("offset", 0.2, 0.4)]


def test_render_latent_averages_each_event_over_the_chunk_of_every_step():
    latent = VideoLatent(duration=2.0, events=(Event(0.5, 1.0, np.array([1.0, 2.0])),),
                         offset=np.zeros(1), drift=np.zeros((4, 1)), action_dims=2)
    _, four = render_latent(latent, 4)  # 0.5 s per step: the event fills step 1 exactly
    np.testing.assert_allclose(four, [[0, 0], [1, 2], [0, 0], [0, 0]])
    _, five = render_latent(latent, 5)  # 0.4 s per step: 3/4 of step 1, 1/2 of step 2
    np.testing.assert_allclose(five, [[0, 0], [0.75, 1.5], [0.5, 1.0], [0, 0], [0, 0]])


def test_confusable_classes_share_their_onset_but_not_their_offset():
    phases = build_class_phases(4, [(0, 2)], LatentSpec(action_dims=64, shared_body=0.6),
                                rng_for(0, "t"))
    np.testing.assert_array_equal(phases.onset[0], phases.onset[2])
    assert not np.allclose(phases.onset[0], phases.onset[1])

    def cosine(a, b):
        return a @ b / np.linalg.norm(a) / np.linalg.norm(b)

    assert cosine(phases.body[0], phases.body[2]) > 0.35  # shares 60% of its variance
    assert abs(cosine(phases.offset[0], phases.offset[2])) < 0.35
    with pytest.raises(ValueError, match="disjoint"):
        build_class_phases(4, [(0, 1), (1, 2)], LatentSpec(), rng_for(0, "t"))


def test_ar1_noise_has_unit_variance_and_lag1_correlation_phi():
    x = ar1_noise(rng_for(0, "ar"), 20000, 8, 0.6)
    np.testing.assert_allclose(x.var(0).mean(), 1.0, atol=0.05)
    lag1 = (x[1:] * x[:-1]).mean() / x.var()
    np.testing.assert_allclose(lag1, 0.6, atol=0.03)


def test_student_and_teacher_views_render_one_latent_timeline(mini):
    annotations, generator = mini
    video = annotations.subset("test")[0]
    latent = generator.latent(video)
    student_steps = round(video.duration * 5.0)
    teacher_steps = round(video.duration * 1.5625)
    _, h_student = render_latent(latent, student_steps)
    _, h_teacher = render_latent(latent, teacher_steps)
    # the teacher's latent, read at student step centres by time, follows the student's
    centres = lambda n: (np.arange(n) + 0.5) * video.duration / n  # noqa: E731
    resampled = np.stack([np.interp(centres(student_steps), centres(teacher_steps), col)
                          for col in h_teacher.T], axis=1)
    active = np.abs(h_student).sum(1) > 0
    assert np.corrcoef(resampled[active].ravel(), h_student[active].ravel())[0, 1] > 0.8
    features = {view: generator.render(video, view) for view in ("student", "teacher")}
    assert features["student"].shape == (student_steps, 128)
    assert features["teacher"].shape == (teacher_steps, 128)
    assert not np.allclose(features["student"][:teacher_steps], features["teacher"])


def test_features_predict_actionness_that_agrees_across_views_only_for_the_same_video(mini):
    annotations, generator = mini

    def actionness_model(view):
        pairs = [(generator.render(v, view), v) for v in annotations.subset("train")]
        x = np.concatenate([f for f, _ in pairs])
        y = np.concatenate([1 - step_labels(v, len(f), 5)[:, -1:] for f, v in pairs])
        return fit_ridge(x, y, 10.0)

    models = {view: actionness_model(view) for view in ("student", "teacher")}
    tests = annotations.subset("test")[:6]

    def curve(video, view, num_steps):
        scores = predict_ridge(models[view], generator.render(video, view))[:, 0]
        own = (np.arange(len(scores)) + 0.5) / len(scores)
        return np.interp((np.arange(num_steps) + 0.5) / num_steps, own, scores)

    same, other = [], []
    for k, video in enumerate(tests):
        n = generator.render(video, "student").shape[0]
        student = curve(video, "student", n)
        same.append(np.corrcoef(student, curve(video, "teacher", n))[0, 1])
        other.append(np.corrcoef(student, curve(tests[k - 1], "teacher", n))[0, 1])
    assert np.mean(same) > 0.6 and np.mean(other) < 0.3


def test_student_features_have_the_marginal_moments_of_real_i3d_features(mini):
    annotations, generator = mini
    videos = [generator.render(v, "student") for v in annotations.subset("train")[:10]]
    x = np.concatenate(videos)
    rgb, flow = x[:, :64], x[:, 64:]
    assert x.dtype == np.float32 and x.min() >= 0.0
    assert 0.15 <= rgb.mean() <= 0.26 and 0.1 <= flow.mean() <= 0.21  # STATS.md §8
    assert (rgb > 0).mean() > 0.95 and 0.8 < (flow > 0).mean() < 0.95

    def lag1(stream):  # per video, per dimension after removing the mean, as in STATS.md §8
        values = []
        for v in videos:
            v = v[:, stream] - v[:, stream].mean(0)
            values.append(np.median((v[1:] * v[:-1]).mean(0) / v.var(0)))
        return float(np.mean(values))

    assert 0.5 <= lag1(slice(0, 64)) <= 0.7 and 0.2 <= lag1(slice(64, 128)) <= 0.45


def test_past_context_never_reads_the_future():
    x = np.arange(40, dtype=np.float64)[:, None]
    changed = x.copy()
    changed[20:] = 100.0
    past = context_features(x, 8, 4, centred=False)
    np.testing.assert_array_equal(past[:20], context_features(changed, 8, 4, centred=False)[:20])
    np.testing.assert_allclose(past[10], [3.5, 5.5, 7.5, 9.5])  # blocks of 2 ending at step 10
    centred = context_features(x, 8, 4, centred=True)
    np.testing.assert_allclose(centred[10], [7.5, 9.5, 11.5, 13.5])  # steps 7 .. 14


def test_average_precision_of_a_hand_ranked_list():
    # ranking: pos, neg, pos -> precisions 1 and 2/3
    assert average_precision(np.array([0.9, 0.5, 0.1]), np.array([1, 0, 1])) == pytest.approx(5 / 6)


def test_online_probe_is_clearly_worse_than_offline_probe(mini):
    # docs/benchmark.md: over 5 seeds the centred probe wins on both measures (span 16 and 32)
    annotations, generator = mini

    def data(subset):
        return [(f, step_labels(v, len(f), annotations.num_classes))
                for v in annotations.subset(subset)
                for f in [generator.render(v, "student")]]

    result = context_probe(data("train"), data("test"), span=32, blocks=4)
    assert result["online_accuracy"] > 0.4  # learnable: chance is about 1 / (C + 1)
    assert result["offline_accuracy"] - result["online_accuracy"] > 0.05
    assert result["offline_map"] > result["online_map"]
