"""OnPointDistiller: an unchanged OAT student plus OnPoint's heads and losses (onpoint-spec §3).

``L = alpha L_ins + beta L_cass + gamma L_ant + delta L_pnt`` with loss keys ``loss_ins_cls``,
``loss_ins_reg``, ``loss_cass``, ``loss_ant``, ``loss_pnt_cls``, ``loss_pnt_reg`` (weighted). A head
whose weight is 0 is not built, so it leaves no unused parameter under DDP. (The student is built
unchanged, so with alpha = 0 its own instance heads stay and get no gradient.)

The distiller exposes OAT's stage methods (``project``, ``encode``, ``decode``,
``predict_instances``, ``window``, ``anchors``), so OAT's video predictor and streaming detector
run it unchanged. Inference uses the encoder, the decoder and the instance heads, plus:

- the CASS head when the decoder calibrates its cross-attention. [our choice] onpoint-spec §5
  calls CASS training-only, but §3 defines the decoder's actionness from the student's OWN
  CASS background channel at every window; that channel is computed from ``F_t`` (past features
  only), so running it online is causal and cheap, and without it the calibrated decoder could
  not run at test time. Only the CASS head runs; its loss and the teacher are training-only.
- the point-classification head instead of the instance heads when ``predict_with="point"``
  (the distillation-free baseline, onpoint-spec §6 [our choice]): each anchor is scored by its
  point class probabilities and its regression is ``(0, 0)``, so OAT's decoding returns the
  anchor's own span ``[t - L_a, t]``.

Checkpoints keep the student under ``student.*``; stripping that prefix loads strictly into a
vanilla ``OATDetector`` (the calibrated decoder has no parameter of its own).
"""
from __future__ import annotations

import torch
from mmengine.model import BaseModel
from torch import nn

from oat.models.detector import per_video_samples
from oat.registry import MODELS
from onpoint_ext.losses import CASS_SPACES, anticipation_loss, cass_loss, point_loss

DEFAULT_LOSS_WEIGHTS = dict(ins=1.0, cass=1.0, ant=1.0, pnt=1.0)  # alpha beta gamma delta
PREDICT_SOURCES = ("instance", "point")
# Keys of ``data_samples`` each loss reads (added by the dataset wrapper
# ``onpoint_ext.datasets.WithTeacherTargets``).
TARGET_KEYS = dict(
    ins=("cls_target", "reg_target"),
    cass=("teacher_cas",),
    ant=("ant_target",),
    pnt=("point_cls_target", "point_distance_target"),
)


@MODELS.register_module()
class OnPointDistiller(BaseModel):
    """Offline-to-online distillation of a teacher into an OAT student, from point labels.

    Args:
        student: OAT model config (an ``OATDetector``), built unchanged; its decoder may be an
            ``ActionnessCalibratedDecoder``.
        cass_head, anticipation_head, point_heads: head configs; ``num_classes`` and
            ``embed_dim`` are taken from the student. A head is built only when its loss
            weight is positive; a positive weight without a head config is an error.
        loss_weights: ``dict(ins=alpha, cass=beta, ant=gamma, pnt=delta)``; missing keys are 1.
        cass_space: ``"prob"`` or ``"logit"``, see ``onpoint_ext.losses.cass_loss``.
        predict_with: ``"instance"`` (OnPoint) or ``"point"`` (distillation-free baseline).
        ant_detach_encoder: the anticipation head reads ``memory.detach()``, so ``L_ant`` trains
            only its head and sends no gradient into the encoder and projection [our choice, an
            ablation; default False = the paper]. Tests whether ``L_ant`` dominates the shared
            features' gradient. Measured (BENCHMARKS.md, "The table"; GENERATED features, 10
            pairs): +3.6 [+2.2, +5.0] avg mAP 0.1:0.7 over the paper's coupling.
    """

    def __init__(
        self,
        student: dict,
        cass_head: dict | None = None,
        anticipation_head: dict | None = None,
        point_heads: dict | None = None,
        loss_weights: dict | None = None,
        cass_space: str = "prob",
        predict_with: str = "instance",
        ant_detach_encoder: bool = False,
        data_preprocessor: dict | None = None,
        init_cfg: dict | None = None,
    ):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        unknown = set(loss_weights or {}) - set(DEFAULT_LOSS_WEIGHTS)
        if unknown:
            raise ValueError(f"OnPointDistiller: unknown loss_weights {sorted(unknown)}; "
                             f"expected keys {tuple(DEFAULT_LOSS_WEIGHTS)}")
        if cass_space not in CASS_SPACES:
            raise ValueError(f"OnPointDistiller: cass_space must be one of {CASS_SPACES}, "
                             f"got {cass_space!r}")
        if predict_with not in PREDICT_SOURCES:
            raise ValueError(f"OnPointDistiller: predict_with must be one of {PREDICT_SOURCES}, "
                             f"got {predict_with!r}")
        self.loss_weights = {**DEFAULT_LOSS_WEIGHTS, **(loss_weights or {})}
        self.cass_space = cass_space
        self.predict_with = predict_with
        self.ant_detach_encoder = ant_detach_encoder
        self.student = MODELS.build(student)
        self.cass_head = self._build_head(cass_head, "cass")
        self.anticipation_head = self._build_head(anticipation_head, "ant")
        self.point_heads = self._build_head(point_heads, "pnt")
        if self.calibrated and self.cass_head is None:
            raise ValueError(
                "OnPointDistiller: the calibrated decoder reads the CASS head's background "
                "channel, but no CASS head is built (cass_head missing or loss_weights.cass=0); "
                "set the student's decoder calibrate=False for a run without L_cass"
            )
        if predict_with == "point" and self.point_heads is None:
            raise ValueError("OnPointDistiller: predict_with='point' needs point_heads "
                             "with loss_weights.pnt > 0")

    def _build_head(self, config: dict | None, group: str) -> nn.Module | None:
        """Build a head with the student's sizes, or None when its loss weight is 0."""
        if self.loss_weights[group] == 0:
            return None
        if config is None:
            raise ValueError(f"OnPointDistiller: loss_weights.{group}="
                             f"{self.loss_weights[group]} but no head config for it")
        shared = dict(num_classes=self.student.num_classes, embed_dim=self.student.embed_dim)
        for key, value in shared.items():
            if config.get(key, value) != value:
                raise ValueError(f"{config['type']}: {key}={config[key]!r} differs from the "
                                 f"student's {value!r}; leave it to the student")
        return MODELS.build({**config, **shared})

    @property
    def calibrated(self) -> bool:
        """Whether the student's decoder re-weights its keys by the CASS actionness."""
        return bool(getattr(self.student.decoder, "calibrate", False))

    @property
    def window(self) -> int:
        """W, steps per window (the student's)."""
        return self.student.window

    @property
    def anchors(self) -> tuple[int, ...]:
        """Anchor lengths in steps (the student's), in output order."""
        return self.student.anchors

    @property
    def num_classes(self) -> int:
        """C, action classes without background."""
        return self.student.num_classes

    def project(self, features: torch.Tensor) -> torch.Tensor:
        """``(B, T, D_in)`` -> ``(B, T, E)``, the student's projection."""
        return self.student.project(features)

    def encode(self, projected: torch.Tensor) -> torch.Tensor:
        """``(B, W, E)`` -> memory ``F (B, W, E)``, the student's encoder."""
        return self.student.encode(projected)

    def decode(
        self, memory: torch.Tensor, memory_key_bias: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Memory ``(B, W, E)`` -> anchor embeddings ``(B, A, E)``, calibrated when enabled.

        The CASS head runs here (only when calibrating) to get the actionness of every key.
        """
        cass_logits = self.cass_head(memory) if self.calibrated else None
        return self._decode(memory, cass_logits, memory_key_bias)

    def _decode(
        self,
        memory: torch.Tensor,
        cass_logits: torch.Tensor | None,
        memory_key_bias: torch.Tensor | None = None,
        teacher_cas: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Decode with the calibration from the student's CASS logits ``(B, W, C+1)``, or, when
        ``teacher_cas (B, W, C+1)`` is given, from the teacher's background probabilities."""
        if self.calibrated:
            decoder = self.student.decoder
            calibration = (decoder.calibration_bias(cass_logits[..., -1]) if teacher_cas is None
                           else decoder.teacher_calibration_bias(teacher_cas[..., -1]))
            memory_key_bias = calibration if memory_key_bias is None else (
                memory_key_bias + calibration)
        return self.student.decode(memory, memory_key_bias)

    def predict_instances(self, decoded: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, A, E)`` -> ``(cls_logits (B, A, C+1), reg (B, A, 2))``, background last.

        ``predict_with="point"``: point-class logits and a zero regression (the anchor's span).
        """
        if self.predict_with == "instance":
            return self.student.predict_instances(decoded)
        cls_logits, _ = self.point_heads(decoded)
        return cls_logits, cls_logits.new_zeros(*cls_logits.shape[:-1], 2)

    def loss(self, inputs: torch.Tensor, data_samples: dict) -> dict[str, torch.Tensor]:
        """Weighted losses of a batch of windows ``inputs (B, W, D_in)``.

        ``data_samples`` (collated dict) holds, per enabled loss: ``cls_target (B, A, C+1)`` and
        ``reg_target (B, A, 2)`` from pseudo segments (ins), ``teacher_cas (B, W, C+1)`` (cass),
        ``ant_target (B, C)`` (ant), ``point_cls_target (B, A)`` and
        ``point_distance_target (B, A)`` (pnt).
        """
        expected = (self.window, self.student.feat_dim)
        if inputs.dim() != 3 or tuple(inputs.shape[1:]) != expected:
            raise ValueError(f"OnPointDistiller expects windows (B, {expected[0]}, {expected[1]}), "
                             f"got {tuple(inputs.shape)}")
        weights = self.loss_weights
        targets = self._targets(data_samples)
        memory = self.encode(self.project(inputs))
        cass_logits = self.cass_head(memory) if self.cass_head is not None else None
        decoded = self._decode(memory, cass_logits, teacher_cas=self._train_actionness(targets))
        losses = {}
        if weights["ins"] > 0:
            cls_logits, reg = self.student.predict_instances(decoded)
            ins = self.student.instance_losses(
                cls_logits, reg, targets["cls_target"], targets["reg_target"])
            losses["loss_ins_cls"] = weights["ins"] * ins["loss_cls"]
            losses["loss_ins_reg"] = weights["ins"] * ins["loss_reg"]
        if self.cass_head is not None:
            losses["loss_cass"] = weights["cass"] * cass_loss(
                cass_logits, targets["teacher_cas"], self.cass_space)
        if self.anticipation_head is not None:
            ant_memory = memory.detach() if self.ant_detach_encoder else memory
            losses["loss_ant"] = weights["ant"] * anticipation_loss(
                self.anticipation_head(ant_memory), targets["ant_target"])
        if self.point_heads is not None:
            point_cls, point_distance = self.point_heads(decoded)
            loss_cls, loss_reg = point_loss(point_cls, point_distance,
                                            targets["point_cls_target"],
                                            targets["point_distance_target"])
            losses["loss_pnt_cls"] = weights["pnt"] * loss_cls
            losses["loss_pnt_reg"] = weights["pnt"] * loss_reg
        return losses

    def _train_actionness(self, targets: dict) -> torch.Tensor | None:
        """The teacher CAS ``(B, W, C+1)`` when the decoder trains on the teacher's actionness."""
        if not self.calibrated or self.student.decoder.train_actionness != "teacher":
            return None
        if "teacher_cas" not in targets:
            raise KeyError("OnPointDistiller: train_actionness='teacher' reads data_samples "
                           "'teacher_cas'; add 'cass' to WithTeacherTargets(targets)")
        return targets["teacher_cas"]

    def _targets(self, data_samples: dict | None) -> dict:
        """The target tensors the enabled losses need; a missing one names its target group."""
        samples = data_samples if isinstance(data_samples, dict) else {}
        for group, keys in TARGET_KEYS.items():
            for key in keys if self.loss_weights[group] > 0 else ():
                if key not in samples:
                    raise KeyError(f"OnPointDistiller: data_samples lack {key!r} needed by the "
                                   f"{group!r} loss; add {group!r} to WithTeacherTargets(targets)")
        return samples

    def forward(
        self,
        inputs: torch.Tensor | list[torch.Tensor],
        data_samples: dict | list[dict] | None = None,
        mode: str = "tensor",
    ):
        """mmengine entry point, with OAT's modes.

        - ``"tensor"``: windows ``(B, W, D_in)`` -> ``(cls_logits (B, A, C+1), reg (B, A, 2))``.
        - ``"loss"``: see :meth:`loss`.
        - ``"predict"``: whole videos through the student's ``video_predictor``, which calls this
          model's stage methods (so calibration is on at test time too).
        """
        if mode == "tensor":
            return self.predict_instances(self.decode(self.encode(self.project(inputs))))
        if mode == "loss":
            return self.loss(inputs, data_samples)
        if mode == "predict":
            predictor = self.student.video_predictor
            if predictor is None:
                raise ValueError("OnPointDistiller predict mode needs the student's "
                                 "`video_predictor=dict(type=...)`")
            videos = per_video_samples(data_samples, len(inputs))
            return [predictor(self, features, meta) for features, meta in zip(inputs, videos)]
        raise ValueError(f"OnPointDistiller: unknown mode {mode!r} (tensor, loss or predict)")
