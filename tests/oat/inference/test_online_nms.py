"""MATR's online NMS on OAT proposals ("OAT-ONMS", oat-spec §8.2/8.3)."""

from oat.inference.postprocessors import OfflineNMS, OnlineNMS, StepNMS
from oat.inference.proposals import Proposals
from oat.registry import TASK_UTILS


def test_onms_drops_proposals_that_end_after_the_current_time(kit):
    onms = OnlineNMS()
    emitted = onms.step(kit.make_proposals((1, 4, 0, 0.9, 5), (3, 6, 1, 0.8, 5)), now=5.0)
    assert kit.rows_of(emitted) == [(1.0, 4.0, 0, 0.9, 5.0)]
    # the dropped one is never offered again, even once its end has passed
    assert len(onms.step(Proposals.empty(), now=7.0)) == 0


def test_onms_runs_the_in_step_nms_before_the_end_filter(kit):
    onms = OnlineNMS()
    future = (2, 7, 0, 0.9, 5)   # ends after now: suppresses `valid` (overlap 0.6), then dropped
    valid = (2, 5, 0, 0.8, 5)
    assert len(onms.step(kit.make_proposals(future, valid), now=5.0)) == 0
    filter_first = OnlineNMS(nms_before_end_filter=False)
    assert kit.rows_of(filter_first.step(kit.make_proposals(future, valid), now=5.0)) == [
        (2.0, 5.0, 0, 0.8, 5.0)]


def test_onms_earlier_emission_wins_over_a_later_higher_score(kit):
    onms = OnlineNMS()
    first = onms.step(kit.make_proposals((1, 5, 0, 0.4, 5)), now=5.0)
    later = onms.step(kit.make_proposals((1.2, 5.3, 0, 0.9, 5.5), (1, 5, 1, 0.5, 5.5)), now=5.5)
    assert kit.rows_of(first) == [(1.0, 5.0, 0, 0.4, 5.0)]
    assert kit.rows_of(later) == [(1.0, 5.0, 1, 0.5, 5.5)]  # only the other class


def test_onms_rounds_times_to_2_decimals_and_scores_to_4_before_comparing(kit):
    proposal = kit.make_proposals((1.006, 5.004, 0, 0.123456, 4.996))
    emitted = OnlineNMS().step(proposal, now=4.996)
    # rounded: cur 5.0 >= end 5.0, so it is kept; the raw values would drop it (5.004 > 4.996)
    assert kit.rows_of(emitted) == [(1.01, 5.0, 0, 0.1235, 5.0)]
    assert len(OnlineNMS(round_values=False).step(proposal, now=4.996)) == 0


def test_onms_defer_variant_emits_a_future_end_once_its_end_is_reached(kit):
    onms = OnlineNMS(defer_future_ends=True)
    assert len(onms.step(kit.make_proposals((2, 7, 0, 0.9, 5), (2, 5, 0, 0.8, 5)), now=5.0)) == 0
    assert len(onms.step(Proposals.empty(), now=6.0)) == 0
    assert kit.rows_of(onms.step(Proposals.empty(), now=7.0)) == [(2.0, 7.0, 0, 0.9, 7.0)]
    assert len(onms.step(Proposals.empty(), now=8.0)) == 0


def test_onms_reset_forgets_the_emitted_list_of_the_previous_video(kit):
    onms = OnlineNMS()
    proposal = kit.make_proposals((1, 5, 0, 0.4, 5))
    assert len(onms.step(proposal, now=5.0)) == 1
    assert len(onms.step(proposal, now=5.0)) == 0
    onms.reset()
    assert len(onms.step(proposal, now=5.0)) == 1


def test_offline_nms_emits_only_at_finish_and_later_proposals_can_suppress_earlier_ones(kit):
    nms = TASK_UTILS.build(dict(type="OfflineNMS"))
    assert isinstance(nms, OfflineNMS)
    assert len(nms.step(kit.make_proposals((0, 10, 0, 0.5, 10)), now=10.0)) == 0
    assert len(nms.step(kit.make_proposals((1, 10, 0, 0.9, 11)), now=11.0)) == 0
    assert kit.rows_of(nms.finish()) == [(1.0, 10.0, 0, 0.9, 11.0)]


def test_step_nms_emits_every_survivor_of_every_step(kit):
    nms = StepNMS()
    step = kit.make_proposals((0, 10, 0, 0.5, 10), (1, 10, 0, 0.9, 10), (20, 30, 0, 0.1, 10))
    assert kit.rows_of(nms.step(step, now=10.0)) == [(1.0, 10.0, 0, 0.9, 10.0),
                                                 (20.0, 30.0, 0, 0.1, 10.0)]
    assert len(nms.step(step, now=11.0)) == 2


def test_spawned_copies_keep_settings_but_not_state(kit):
    onms = OnlineNMS(nms_threshold=0.5)
    onms.step(kit.make_proposals((1, 5, 0, 0.4, 5)), now=5.0)
    copy = onms.spawn()
    assert copy.nms_threshold == 0.5
    assert len(copy.step(kit.make_proposals((1, 5, 0, 0.4, 5)), now=5.0)) == 1
