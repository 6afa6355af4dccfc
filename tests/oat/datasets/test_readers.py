"""Annotation readers: every real file parses with the counts of STATS.md; bad input is named."""
import json

import pytest

from oat.datasets.annotations import AnnotationSet, write_json_atomic
from oat.datasets.readers import detect_format, read_annotations

THUMOS_CLASSES = [
    "BaseballPitch", "BasketballDunk", "Billiards", "CleanAndJerk", "CliffDiving",
    "CricketBowling", "CricketShot", "Diving", "FrisbeeCatch", "GolfSwing", "HammerThrow",
    "HighJump", "JavelinThrow", "LongJump", "PoleVault", "Shotput", "SoccerPenalty",
    "TennisSwing", "ThrowDiscus", "VolleyballSpiking",
]


def counts(annotations: AnnotationSet, subset: str) -> tuple[int, int]:
    return len(annotations.subset(subset)), annotations.num_instances(subset)


# ---------------------------------------------------------------- real files (../shared/data)


@pytest.mark.parametrize("name", ["oat_thumos14_v2.json", "gt_full.json"])
def test_thumos_json_has_200_train_and_212_test_videos_with_stats_counts(shared_data, name):
    annotations = read_annotations(shared_data / "thumos14" / name, out_of_video="keep")
    assert counts(annotations, "train") == (200, 3007)
    assert counts(annotations, "test") == (212, 3358)
    assert annotations.classes == THUMOS_CLASSES


def test_thumos_class_list_equals_oat_label_index_order(shared_data):
    path = shared_data / "thumos14" / "oat_thumos14_v2.json"
    annotations = read_annotations(path, out_of_video="keep")
    raw = json.loads(path.read_text())["database"]
    for video_id, record in raw.items():
        indices = [ann["labelIndex"] for ann in record["annotations"]]
        assert [s.label for s in annotations.videos[video_id].segments] == indices


def test_thumos_instances_after_the_video_end_are_rejected_by_default(shared_data):
    path = shared_data / "thumos14" / "oat_thumos14_v2.json"
    with pytest.raises(ValueError, match=r"oat_thumos14_v2\.json: video 'video_\w+': annotation "
                                         r"\d+ field 'segment'.*outside the video"):
        read_annotations(path)


def test_thumos_drop_removes_exactly_the_30_instances_outside_their_video(shared_data):
    annotations = read_annotations(shared_data / "thumos14" / "gt_full.json", out_of_video="drop")
    assert counts(annotations, "train") == (200, 3007 - 4)
    assert counts(annotations, "test") == (212, 3358 - 26)


def test_lacp_gt_json_takes_durations_and_fps_from_other_files(shared_data):
    folder = shared_data / "thumos14"
    annotations = read_annotations(folder / "gt.json", durations=folder / "gt_full.json",
                                   out_of_video="keep")
    assert detect_format(json.loads((folder / "gt.json").read_text()), "gt.json") == "lacp-json"
    assert counts(annotations, "train") == (200, 3007)
    assert counts(annotations, "test") == (210, 3311)
    assert annotations.classes == THUMOS_CLASSES
    video = annotations.videos["video_test_0000896"]
    assert video.fps == pytest.approx(30.00003000003)  # fps_dict.json beside gt.json
    assert (video.segments[0].start, video.segments[0].end) == (18.6, 24.8)


def test_lacp_gt_json_without_durations_is_an_error_naming_the_option(shared_data):
    with pytest.raises(ValueError, match=r"gt\.json: LACP gt\.json has no video durations.*"
                                         r"durations="):
        read_annotations(shared_data / "thumos14" / "gt.json")


@pytest.mark.parametrize("split, test_videos", [(1, 22), (2, 22), (3, 21), (4, 21)])
def test_egtea_split_files_have_86_videos_15484_instances_22_classes(
    shared_data, split, test_videos
):
    annotations = read_annotations(shared_data / "egtea" / f"egtea_annotations_split{split}.json")
    assert len(annotations.videos) == 86
    assert annotations.num_instances() == 15484
    assert annotations.num_classes == 22
    assert len(annotations.subset("test")) == test_videos
    assert annotations.classes[:3] == ["Clean/Wipe", "Close", "Compress"]


def test_egtea_split1_train_and_test_instance_counts(shared_data):
    annotations = read_annotations(shared_data / "egtea" / "egtea_annotations_split1.json")
    assert counts(annotations, "train") == (64, 11520)
    assert counts(annotations, "test") == (22, 3964)


def test_epic_validation_verbs_have_97_defined_and_78_present_classes(shared_data):
    annotations = read_annotations(shared_data / "epic_kitchens_100" / "EPIC_100_validation.csv")
    assert counts(annotations, "test") == (138, 9668)
    assert annotations.num_classes == 97
    assert annotations.classes[:2] == ["take", "put"]
    present = {s.label for v in annotations.videos.values() for s in v.segments}
    assert len(present) == 78
    first = annotations.videos["P01_11"]
    assert (first.segments[0].start, first.segments[0].end) == (0.0, 1.89)
    assert first.fps == pytest.approx(59.94005994)


def test_epic_noun_task_uses_the_300_noun_classes(shared_data):
    path = shared_data / "epic_kitchens_100" / "EPIC_100_validation.csv"
    annotations = read_annotations(path, task="noun", subset="val")
    assert counts(annotations, "val") == (138, 9668)
    assert annotations.num_classes == 300
    assert len({s.label for v in annotations.videos.values() for s in v.segments}) == 211


def test_gtea_gt_full_uses_activitynet_subset_words(shared_data):
    annotations = read_annotations(shared_data / "gtea" / "gt_full.json")
    assert counts(annotations, "train") == (21, 367)
    assert counts(annotations, "val") == (7, 130)
    assert annotations.classes == ["close", "open", "pour", "put", "scoop", "stir", "take"]


def test_canonical_json_round_trips_an_annotation_set(shared_data, tmp_path):
    original = read_annotations(shared_data / "egtea" / "egtea_annotations_split2.json")
    path = tmp_path / "canonical.json"
    write_json_atomic(original.to_activitynet(), str(path))
    again = read_annotations(path)
    assert again.classes == original.classes
    assert again.videos == original.videos


# ---------------------------------------------------------------- bad input (tmp files)


def write_json(tmp_path, obj, name="ann.json"):
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def oat_record(segments, duration=10.0, subset="train"):
    return {"subset": subset, "duration": duration, "fps": 30.0, "duration_frame": 300,
            "annotations": [{"segment": list(s), "label": label} for *s, label in segments]}


def test_duplicate_video_id_in_json_is_an_error(tmp_path):
    record = json.dumps(oat_record([(1, 2, "A")]))
    path = write_json(tmp_path, '{"database": {"v1": %s, "v1": %s}}' % (record, record))
    with pytest.raises(ValueError, match=r"ann\.json: duplicate video id 'v1' in 'database'"):
        read_annotations(path)


def test_a_field_given_twice_in_one_video_is_an_error(tmp_path):
    path = write_json(tmp_path, '{"database": {"v1": {"subset": "train", "duration": 5, '
                                '"duration": 9, "duration_frame": 1, "annotations": []}}}')
    with pytest.raises(ValueError, match=r"ann\.json: video 'v1': field 'duration' is given twice"):
        read_annotations(path)


@pytest.mark.parametrize("segment, message", [
    ((3.0, 3.0), "end <= start"),
    ((4.0, 2.0), "end <= start"),
    ((-0.5, 2.0), "start < 0"),
    ((10.0, 11.0), "outside the video"),
    ((9.0, 10.6), "outside the video"),
])
def test_bad_segment_bounds_name_file_video_annotation_and_field(tmp_path, segment, message):
    path = write_json(tmp_path, {"database": {
        "v1": oat_record([(1, 2, "A")]), "v2": oat_record([(1, 2, "A"), (*segment, "B")])}})
    with pytest.raises(ValueError, match=rf"ann\.json: video 'v2': annotation 1 field 'segment'"
                                         rf".*{message}"):
        read_annotations(path)


def test_an_end_within_the_tolerance_after_the_duration_is_kept_unclipped(tmp_path):
    path = write_json(tmp_path, {"database": {"v1": oat_record([(9.0, 10.4, "A")])}})
    segment = read_annotations(path).videos["v1"].segments[0]
    assert (segment.start, segment.end) == (9.0, 10.4)
    with pytest.raises(ValueError, match="outside the video"):
        read_annotations(path, end_tolerance=0.1)


def test_out_of_video_keep_keeps_and_drop_drops_the_instance(tmp_path):
    path = write_json(tmp_path, {"database": {"v1": oat_record([(1, 2, "A"), (12, 13, "B")])}})
    kept = read_annotations(path, out_of_video="keep").videos["v1"].segments
    assert [(s.start, s.end, s.label) for s in kept] == [(1, 2, 0), (12, 13, 1)]
    dropped = read_annotations(path, out_of_video="drop")
    assert [(s.start, s.end) for s in dropped.videos["v1"].segments] == [(1, 2)]
    assert dropped.classes == ["A", "B"]  # the class list still comes from every name


@pytest.mark.parametrize("field", ["subset", "duration", "annotations"])
def test_a_missing_video_field_is_named(tmp_path, field):
    record = oat_record([(1, 2, "A")])
    del record[field]
    record["split"] = 1  # keeps the format detectable (HAT layout) without "duration"
    path = write_json(tmp_path, {"database": {"v1": record}})
    with pytest.raises(ValueError, match=rf"ann\.json: video 'v1': missing field '{field}'"):
        read_annotations(path, fmt="hat-json")


@pytest.mark.parametrize("field", ["segment", "label"])
def test_a_missing_annotation_field_is_named(tmp_path, field):
    record = oat_record([(1, 2, "A")])
    del record["annotations"][0][field]
    path = write_json(tmp_path, {"database": {"v1": record}})
    with pytest.raises(ValueError, match=rf"video 'v1': annotation 0: missing field '{field}'"):
        read_annotations(path)


def test_a_non_numeric_segment_bound_is_named(tmp_path):
    path = write_json(tmp_path, {"database": {"v1": oat_record([(1, "two", "A")])}})
    with pytest.raises(ValueError, match=r"video 'v1': annotation 0: field 'segment': expected "
                                         r"a number of seconds, got 'two'"):
        read_annotations(path)


def test_missing_database_and_unknown_subset_are_named(tmp_path):
    with pytest.raises(ValueError, match=r"ann\.json: missing top-level field 'database'"):
        read_annotations(write_json(tmp_path, {"videos": {}}))
    path = write_json(tmp_path, {"database": {"v1": oat_record([(1, 2, "A")], subset="dev")}})
    with pytest.raises(ValueError, match=r"video 'v1': field 'subset' is 'dev'"):
        read_annotations(path)


def test_unknown_class_against_a_given_class_list_is_named(tmp_path):
    path = write_json(tmp_path, {"database": {"v1": oat_record([(1, 2, "Jump")])}})
    with pytest.raises(ValueError, match=r"video 'v1': annotation 0: unknown class 'Jump'"):
        read_annotations(path, classes=["Run", "Swim"])


def test_canonical_json_rejects_an_unknown_class_and_a_wrong_label_id(tmp_path):
    database = {"v1": {"subset": "test", "duration": 5.0, "fps": None, "annotations": [
        {"segment": [1, 2], "label": "Run", "label_id": 0}]}}
    canonical = {"version": "oat-canonical-1", "classes": ["Swim", "Run"], "database": database}
    with pytest.raises(ValueError, match=r"video 'v1': annotation 0: field 'label_id' 0 but "
                                         r"label 'Run' has index 1"):
        read_annotations(write_json(tmp_path, canonical))
    database["v1"]["annotations"][0].update(label="Fly", label_id=2)
    with pytest.raises(ValueError, match=r"video 'v1': annotation 0: unknown class 'Fly'"):
        read_annotations(write_json(tmp_path, canonical))


def test_class_list_is_sorted_case_sensitively_over_all_subsets(tmp_path):
    path = write_json(tmp_path, {"database": {
        "v1": oat_record([(1, 2, "walk"), (3, 4, "Zoom")]),
        "v2": oat_record([(1, 2, "Apple")], subset="test")}})
    annotations = read_annotations(path)
    assert annotations.classes == ["Apple", "Zoom", "walk"]
    assert [s.label for s in annotations.videos["v1"].segments] == [2, 1]


def test_missing_file_invalid_json_and_undetectable_format_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="annotation file not found"):
        read_annotations(tmp_path / "nope.json")
    with pytest.raises(ValueError, match=r"bad\.json: not valid json"):
        read_annotations(write_json(tmp_path, "{", name="bad.json"))
    odd = {"database": {"v1": {"subset": "train", "duration": 3, "annotations": []}}}
    with pytest.raises(ValueError, match="cannot tell the annotation format"):
        read_annotations(write_json(tmp_path, odd))
    with pytest.raises(ValueError, match="unknown annotation format 'xml'"):
        read_annotations(write_json(tmp_path, odd), fmt="xml")


EPIC_HEADER = ("narration_id,participant_id,video_id,narration_timestamp,start_timestamp,"
               "stop_timestamp,start_frame,stop_frame,narration,verb,verb_class,noun,noun_class,"
               "all_nouns,all_noun_classes\n")


def epic_folder(tmp_path, rows, info="P01_01,20.0,50.0,1920x1080\n"):
    (tmp_path / "EPIC_100_verb_classes.csv").write_text("id,key,instances,category\n"
                                                        "0,take,[],x\n1,put,[],x\n")
    (tmp_path / "EPIC_100_video_info.csv").write_text("video_id,duration,fps,resolution\n" + info)
    path = tmp_path / "EPIC_100_validation.csv"
    path.write_text(EPIC_HEADER + "".join(
        f"P01_01_{i},P01,P01_01,x,{start},{stop},0,0,n,v,{verb},n,0,[],[]\n"
        for i, (start, stop, verb) in enumerate(rows)))
    return path


def test_epic_rows_become_seconds_from_hh_mm_ss_timestamps(tmp_path):
    path = epic_folder(tmp_path, [("00:00:01.50", "00:00:12.25", 1)])
    annotations = read_annotations(path)
    video = annotations.videos["P01_01"]
    assert (video.subset, video.duration, video.fps) == ("test", 20.0, 50.0)
    assert video.segments[0].start == 1.5 and video.segments[0].end == 12.25
    assert video.segments[0].label == 1


@pytest.mark.parametrize("row, info, message", [
    (("00:00:01.00", "00:00:02.00", 7), None, r":2: video 'P01_01': field 'verb_class' is '7'"),
    (("00:01.00", "00:00:02.00", 0), None, r":2: video 'P01_01': field 'start_timestamp': "
                                           r"expected HH:MM:SS\.ff"),
    (("00:00:01.00", "00:00:02.00", 0), "P02_01,20.0,50.0,x\n", r":2: video 'P01_01': no dur"),
    (("00:00:03.00", "00:00:02.00", 0), None, r": video 'P01_01': annotation 0 .*end <= start"),
])
def test_epic_bad_rows_name_file_row_video_and_field(tmp_path, row, info, message):
    path = epic_folder(tmp_path, [row], **({"info": info} if info else {}))
    with pytest.raises(ValueError, match=rf"EPIC_100_validation\.csv{message}"):
        read_annotations(path)


def test_epic_file_without_a_known_subset_needs_the_subset_option(tmp_path):
    path = epic_folder(tmp_path, [("00:00:01.00", "00:00:02.00", 0)])
    other = path.rename(tmp_path / "EPIC_100_uda_source_val.csv")
    with pytest.raises(ValueError, match="cannot tell the subset"):
        read_annotations(other)
    assert read_annotations(other, subset="val").subset("val")[0].video_id == "P01_01"
