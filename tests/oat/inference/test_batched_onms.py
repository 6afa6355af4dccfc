"""Online NMS for many streams at once equals the per-stream reference, stream by stream.

Random proposal streams over many seeds: tied scores, boundaries on MATR's rounding points,
empty steps, streams that start, pause, stop and restart at different steps (slots reused),
random stepping order, every ``OnlineNMS`` option including ``forget_after``.
"""
import itertools

import numpy as np
import pytest

from oat.inference import OnlineNMS, Proposals, TimeBase
from oat.inference.batched_emitted import BatchedEmittedIndex
from oat.inference.batched_onms import BatchedOnlineNMS
from oat.inference.decoding import ProposalDecoder
from oat.inference.grouped_nms import round_half_even

SETTINGS = [dict(round_values=r, nms_before_end_filter=n, defer_future_ends=d, forget_after=f)
            for r, n, d, f in itertools.product((True, False), (True, False), (False, True),
                                                (None, 4.0))]


def random_proposals(rng: np.random.Generator, now: float) -> Proposals:
    """0-7 proposals of 3 classes: tied scores, times on and off the 0.005 rounding grid."""
    count = int(rng.choice([0, 0, 1, 3, 7]))
    ends = now + rng.choice([-2.0, -0.5, 0.0, 0.005, 0.5, 1.0], count) + (
        rng.integers(-2, 3, count) * 0.005 * rng.integers(0, 2, count))
    lengths = rng.choice([0.3, 1.0, 1.5, 2.5, 4.0], count) + rng.uniform(0, 0.01, count)
    scores = rng.choice([0.2, 0.5, 0.5, 0.85, 0.90005], count)
    return Proposals(ends - lengths, ends, rng.integers(0, 3, count), scores,
                     np.full(count, now))


def run_both(seed: int, settings: dict, num_streams: int = 6, num_steps: int = 60):
    """Per step, the emissions of every stepping stream: (batched, reference)."""
    rng = np.random.default_rng(seed)
    rates = rng.choice([2.5, 5.0, 30 / 7], num_streams)
    first = rng.integers(0, num_steps // 2, num_streams)
    last = first + rng.integers(5, num_steps, num_streams)
    restart = rng.integers(0, num_steps, num_streams)  # the stream restarts at this step
    batched = BatchedOnlineNMS(OnlineNMS(**settings))
    reference = [OnlineNMS(**settings) for _ in range(num_streams)]
    steps = np.zeros(num_streams, dtype=np.int64)
    got, expected = [], []
    for t in range(num_steps):
        for k in np.flatnonzero((first == t) | (restart == t)).tolist():
            batched.reset(k)
            reference[k].reset()
            steps[k] = 0
        active = (first <= t) & (t <= last) & (rng.random(num_streams) > 0.15)  # some skip
        stepping = rng.permutation(np.flatnonzero(active))
        nows = steps[stepping] / rates[stepping]
        parts = [random_proposals(rng, now) for now in nows]
        slots = np.repeat(stepping, [len(part) for part in parts]).astype(np.int64)
        emitted, rows = batched.step(Proposals.concat(parts), slots, stepping, nows)
        for row, (k, part, now) in enumerate(zip(stepping, parts, nows)):
            got.append(tuple(emitted.take(rows == row)))
            expected.append(tuple(reference[k].step(part, now)))
        steps[stepping] += 1
    return got, expected, batched, reference


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
def test_batched_online_nms_emits_exactly_what_the_per_stream_reference_emits(settings):
    total = 0
    for seed in range(12):
        got, expected, batched, reference = run_both(seed, settings)
        assert got == expected, f"seed {seed}"
        total += sum(map(len, expected))
        for k, single in enumerate(reference):
            assert batched.emitted.held(k) == len(single.emitted)
            assert batched.emitted.checks_before_frontier[k] == \
                single.emitted.checks_before_frontier
    assert total > 100  # the streams do emit


def test_forgetting_in_the_batched_index_is_counted_when_it_could_change_an_answer():
    index = BatchedEmittedIndex(threshold=0.3, forget_after=1.0)
    index.clear(1)
    index.add(np.array([0, 1]), np.array([0, 0]), np.array([0.0, 0.0]), np.array([2.0, 2.0]))
    assert index.step_to(np.array([1]), np.array([10.0])) == 1  # only slot 1 moved on
    blocked = index.blocked(np.array([0, 1]), np.array([0, 0]), np.array([1.0, 1.0]),
                            np.array([3.0, 3.0]))
    assert blocked.tolist() == [True, False]
    assert index.checks_before_frontier[:2].tolist() == [0, 1]
    assert (index.held(0), index.held(1)) == (1, 0)


def test_vectorised_rounding_equals_pythons_round_on_ties_and_float_noise():
    rng = np.random.default_rng(0)
    values = np.concatenate([
        rng.integers(-10**6, 10**6, 20000) / 2000,  # many exact and near ties at 2 decimals
        rng.uniform(-1e3, 1e3, 20000), [2.675, 0.125, 0.375, -0.125, 0.0, -0.0, 1e300],
    ])
    for digits in (2, 4):
        expected = [round(value, digits) for value in values.tolist()]
        assert round_half_even(values, digits).tolist() == expected
    assert np.isnan(round_half_even(np.array([np.nan]), 2)[0])


@pytest.mark.parametrize("class_rule", ["oat", "matr"])
def test_decoding_many_streams_at_once_equals_decoding_each_stream(class_rule):
    rng = np.random.default_rng(1)
    decoder = ProposalDecoder((2, 4, 8), threshold=0.2, class_rule=class_rule)
    probs = rng.dirichlet(np.ones(4) * 0.3, size=(5, 3)).astype(np.float32)
    reg = rng.normal(size=(5, 3, 2)).astype(np.float32)
    steps = np.array([0, 3, 17, 250, 9])
    timebases = [TimeBase(30, 12.0), TimeBase.from_rate(5.0), TimeBase(7, 13.0),
                 TimeBase.from_rate(30 / 7), TimeBase(1, 1.0)]
    scales = np.array([tb.duration / tb.num_steps for tb in timebases])
    many, rows = decoder.decode_many(probs, reg, steps, scales)
    for row, timebase in enumerate(timebases):
        alone = decoder(probs[row], reg[row], int(steps[row]), timebase)
        assert tuple(many.take(rows == row)) == tuple(alone)
    assert len(many) > 5
