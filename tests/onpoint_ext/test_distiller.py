"""OnPointDistiller: loss assembly, head building, calibration wiring, weight compatibility."""
import copy

import pytest
import torch
from torch.testing import assert_close

from oat.registry import MODELS
from onpoint_ext.decoders import actionness_key_bias
from onpoint_ext.losses import anticipation_loss, cass_loss, point_loss

W, ANCHORS, C, D_IN, E = 8, (2, 4, 8), 3, 8, 16
STUDENT = dict(
    type="OATDetector", window=W, anchors=ANCHORS, num_classes=C, feat_dim=D_IN, embed_dim=E,
    encoder=dict(type="WindowTransformerEncoder", num_layers=1, num_heads=2, ffn_dim=32,
                 dropout=0.0),
    decoder=dict(type="ActionnessCalibratedDecoder", num_layers=1, num_heads=2, ffn_dim=32,
                 dropout=0.0),
    video_predictor=dict(type="OnlineVideoPredictor", postprocessor=dict(type="OnlineNMS")),
)
HEADS = dict(
    cass_head=dict(type="CASSHead"),
    anticipation_head=dict(type="AnticipationHead"),
    point_heads=dict(type="AnchorPointHeads"),
)


def build(loss_weights=None, calibrate=True, detach=True, train_actionness="student", **options):
    student = copy.deepcopy(STUDENT)
    student["decoder"].update(calibrate=calibrate, detach_actionness=detach,
                              train_actionness=train_actionness)
    config = dict(type="OnPointDistiller", student=student, loss_weights=loss_weights,
                  **{**HEADS, **options})
    torch.manual_seed(0)
    return MODELS.build(config)


def batch(size=2):
    generator = torch.Generator().manual_seed(1)
    cls_target = torch.zeros(size, len(ANCHORS), C + 1)
    cls_target[..., C] = 1.0
    cls_target[0, 1] = torch.tensor([1.0, 0.0, 0.0, 0.0])
    reg_target = torch.tensor([0.0, -1000.0]).repeat(size, len(ANCHORS), 1)
    reg_target[0, 1] = torch.tensor([0.1, 0.2])
    samples = dict(
        cls_target=cls_target,
        reg_target=reg_target,
        teacher_cas=torch.rand(size, W, C + 1, generator=generator),
        ant_target=torch.tensor([[1.0, 0.0, 1.0]]).repeat(size, 1),
        point_cls_target=torch.tensor([[C, 2, C]]).repeat(size, 1),
        point_distance_target=torch.tensor([[0.0, 0.25, 0.0]]).repeat(size, 1),
    )
    return torch.randn(size, W, D_IN, generator=generator), samples


def test_loss_is_each_term_times_its_weight_with_the_six_keys():
    model = build(dict(ins=2.0, cass=3.0, ant=0.5, pnt=4.0))
    inputs, samples = batch()
    losses = model(inputs, samples, mode="loss")
    assert set(losses) == {"loss_ins_cls", "loss_ins_reg", "loss_cass", "loss_ant",
                           "loss_pnt_cls", "loss_pnt_reg"}
    memory = model.encode(model.project(inputs))
    cass_logits = model.cass_head(memory)
    bias = actionness_key_bias(cass_logits[..., -1], model.student.decoder.eps)
    decoded = model.student.decode(memory, bias)
    ins = model.student.instance_losses(*model.student.predict_instances(decoded),
                                        samples["cls_target"], samples["reg_target"])
    pnt_cls, pnt_reg = point_loss(*model.point_heads(decoded), samples["point_cls_target"],
                                  samples["point_distance_target"])
    expected = dict(
        loss_ins_cls=2.0 * ins["loss_cls"], loss_ins_reg=2.0 * ins["loss_reg"],
        loss_cass=3.0 * cass_loss(cass_logits, samples["teacher_cas"]),
        loss_ant=0.5 * anticipation_loss(model.anticipation_head(memory), samples["ant_target"]),
        loss_pnt_cls=4.0 * pnt_cls, loss_pnt_reg=4.0 * pnt_reg,
    )
    for key, value in expected.items():
        assert_close(losses[key], value, msg=key)


def test_heads_with_zero_weight_are_not_built_and_add_no_loss():
    model = build(dict(ant=0.0, pnt=0.0))
    assert model.anticipation_head is None and model.point_heads is None
    names = [name for name, _ in model.named_parameters()]
    assert not [n for n in names if n.startswith(("anticipation_head", "point_heads"))]
    inputs, samples = batch()
    del samples["ant_target"], samples["point_cls_target"]  # not needed without those losses
    assert set(model(inputs, samples, mode="loss")) == {"loss_ins_cls", "loss_ins_reg",
                                                        "loss_cass"}


def test_a_missing_target_names_the_loss_that_needs_it():
    inputs, samples = batch()
    del samples["teacher_cas"]
    with pytest.raises(KeyError, match="'cass'"):
        build()(inputs, samples, mode="loss")


def test_calibration_without_a_cass_head_is_an_error():
    with pytest.raises(ValueError, match="calibrate=False"):
        build(dict(cass=0.0))
    assert build(dict(cass=0.0), calibrate=False).cass_head is None


def test_a_positive_weight_without_a_head_config_is_an_error():
    with pytest.raises(ValueError, match="loss_weights.ant"):
        build(anticipation_head=None)


def test_decode_biases_the_cross_attention_with_the_cass_background_channel():
    model = build().eval()
    memory = torch.randn(2, W, E)
    bias = actionness_key_bias(model.cass_head(memory)[..., -1], model.student.decoder.eps)
    assert_close(model.decode(memory), model.student.decode(memory, bias))
    assert not torch.allclose(model.decode(memory), model.student.decode(memory))


def test_calibration_off_gives_the_students_own_outputs():
    model = build(calibrate=False).eval()
    inputs, _ = batch()
    for ours, students in zip(model(inputs), model.student(inputs)):
        assert_close(ours, students)


@pytest.mark.parametrize("detach", [True, False])
def test_instance_gradients_reach_the_cass_head_only_without_detaching(detach):
    model = build(detach=detach)
    inputs, samples = batch()
    losses = model(inputs, samples, mode="loss")
    (losses["loss_ins_cls"] + losses["loss_ins_reg"]).backward()
    assert all(p.grad is None for p in model.cass_head.parameters()) == detach
    assert any(p.grad is not None for p in model.student.decoder.parameters())


def test_student_weights_load_strictly_into_a_vanilla_oat_model():
    model = build()
    student_state = {key[len("student."):]: value for key, value in model.state_dict().items()
                     if key.startswith("student.")}
    vanilla_config = copy.deepcopy(STUDENT)
    vanilla_config["decoder"]["type"] = "AnchorQueryDecoder"
    vanilla = MODELS.build(vanilla_config)
    assert {k: v.shape for k, v in student_state.items()} == {
        k: v.shape for k, v in vanilla.state_dict().items()}
    vanilla.load_state_dict(student_state, strict=True)


def test_point_prediction_scores_each_anchor_and_keeps_its_own_span():
    model = build(dict(ins=0.0, cass=0.0, ant=0.0, pnt=1.0), calibrate=False,
                  predict_with="point").eval()
    decoded = torch.randn(2, len(ANCHORS), E)
    cls_logits, reg = model.predict_instances(decoded)
    assert_close(cls_logits, model.point_heads(decoded)[0])
    assert_close(reg, torch.zeros(2, len(ANCHORS), 2))  # end = t, length = L_a


def test_predict_mode_streams_a_video_with_the_calibrated_decoder():
    model = build()
    cass_calls = []
    model.cass_head.register_forward_hook(lambda *args: cass_calls.append(1))
    features = torch.randn(12, D_IN)
    meta = dict(video_id="v", duration=6.0, num_steps=12, gt_segments=None, gt_labels=None)
    (result,) = model([features], [meta], mode="predict")
    assert result["video_id"] == "v" and result["segments"].shape[1] == 2
    assert cass_calls, "the CASS head must run at inference to calibrate the decoder"
    assert model.training  # the predictor restores the mode


def test_teacher_actionness_at_train_time_reads_the_teachers_background():
    inputs, samples = batch()
    student = build()(inputs, samples, mode="loss")["loss_ins_cls"]
    model = build(train_actionness="teacher")
    teacher = model(inputs, samples, mode="loss")["loss_ins_cls"]
    assert not torch.allclose(student, teacher)
    samples["teacher_cas"][..., -1] = 1.0 - samples["teacher_cas"][..., -1]
    flipped = model(inputs, samples, mode="loss")
    assert not torch.allclose(teacher, flipped["loss_ins_cls"])
    # the instance loss sends no gradient into the CASS head through r, even without detaching
    model = build(train_actionness="teacher", detach=False)
    losses = model(inputs, samples, mode="loss")
    (losses["loss_ins_cls"] + losses["loss_ins_reg"]).backward()
    assert all(p.grad is None for p in model.cass_head.parameters())


def test_teacher_actionness_is_training_only():
    inputs, _ = batch()
    student, teacher = build(), build(train_actionness="teacher")
    teacher.load_state_dict(student.state_dict())
    assert_close(student(inputs, mode="tensor"), teacher(inputs, mode="tensor"))


@pytest.mark.parametrize("detach", [False, True])
def test_ant_detach_encoder_stops_l_ant_at_the_encoder(detach):
    model = build(ant_detach_encoder=detach)
    inputs, samples = batch()
    model(inputs, samples, mode="loss")["loss_ant"].backward()
    encoder_grads = [p.grad for p in model.student.encoder.parameters()]
    assert all(g is None for g in encoder_grads) == detach
    assert all(p.grad is not None for p in model.anticipation_head.parameters())


def test_ant_detach_encoder_keeps_the_loss_value():
    inputs, samples = batch()
    assert_close(build()(inputs, samples, mode="loss")["loss_ant"],
                 build(ant_detach_encoder=True)(inputs, samples, mode="loss")["loss_ant"])
