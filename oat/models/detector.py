"""OATDetector: OAT's online anchor-based detector as an mmengine BaseModel (oat-spec §3-§4)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from mmengine.model import BaseModel

from oat.models.losses import (
    foreground_l1_loss,
    mean_foreground_count_over_ranks,
    soft_target_cross_entropy,
)
from oat.registry import MODELS, TASK_UTILS


@MODELS.register_module()
class OATDetector(BaseModel):
    """Window of features -> per-anchor class logits and boundary regression.

    Stages (public so that a wrapper can reuse them): :meth:`project` (per step),
    :meth:`encode`, :meth:`decode`, :meth:`predict_instances`. Parts are built from the
    registry; the detector passes them the shared sizes (``feat_dim``, ``embed_dim``,
    ``num_classes``, number of anchors), so a part config only holds its own options.

    Args:
        window: ``W``, steps per window (the newest step last, zeros before the video start).
        anchors: anchor lengths in steps, all ending at the window's last step; their order
            is the anchor order of every output.
        num_classes: ``C``, action classes without background (outputs have ``C+1``,
            background last).
        feat_dim: ``D_in`` of the two-stream input features.
        embed_dim: ``E``, the transformer width.
        projection, encoder, decoder, heads: part configs (``type`` + own options); ``None``
            builds OAT's part with the paper defaults.
        cls_loss_weight, reg_loss_weight: alpha and beta of ``L = alpha L_cls + beta L_reg``.
        reg_graph_without_foreground: False (upstream): a batch without foreground anchors
            gives a constant ``loss_reg`` and no regressor gradient. True: a zero gradient
            instead (see :func:`~oat.models.losses.foreground_l1_loss`). A DDP run always
            keeps the graph, so that DDP without ``find_unused_parameters`` never sees an
            unused parameter.
        video_predictor: config of a TASK_UTILS module (or a ready callable) called as
            ``predictor(model, features (T, D_in), meta) -> dict`` once per video in
            ``predict`` mode (streaming + post-processing live in ``oat/inference``).
    """

    def __init__(
        self,
        window: int = 64,
        anchors: Sequence[int] = (4, 8, 16, 32, 48, 64),
        num_classes: int = 20,
        feat_dim: int = 4096,
        embed_dim: int = 1024,
        projection: dict | None = None,
        encoder: dict | None = None,
        decoder: dict | None = None,
        heads: dict | None = None,
        cls_loss_weight: float = 1.0,
        reg_loss_weight: float = 1.0,
        reg_graph_without_foreground: bool = False,
        video_predictor: dict | Callable | None = None,
        data_preprocessor: dict | None = None,
        init_cfg: dict | None = None,
    ):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.window = int(window)
        self.anchors = tuple(int(length) for length in anchors)
        self.num_classes = int(num_classes)
        self.feat_dim = int(feat_dim)
        self.embed_dim = int(embed_dim)
        self.cls_loss_weight = cls_loss_weight
        self.reg_loss_weight = reg_loss_weight
        self.reg_graph_without_foreground = reg_graph_without_foreground
        self.projection = MODELS.build(_part_config(
            projection, "TwoStreamProjection", in_dim=feat_dim, out_dim=embed_dim))
        self.encoder = MODELS.build(_part_config(
            encoder, "WindowTransformerEncoder", embed_dim=embed_dim))
        self.decoder = MODELS.build(_part_config(
            decoder, "AnchorQueryDecoder", num_anchors=len(self.anchors), embed_dim=embed_dim))
        self.heads = MODELS.build(_part_config(
            heads, "AnchorInstanceHeads", embed_dim=embed_dim, num_classes=num_classes))
        if isinstance(video_predictor, dict):
            video_predictor = TASK_UTILS.build(video_predictor)
        self.video_predictor = video_predictor

    def project(self, features: torch.Tensor) -> torch.Tensor:
        """``(B, T, D_in)`` features -> ``(B, T, E)``; per step, so it can run once per step."""
        return self.projection(features)

    def encode(self, projected: torch.Tensor) -> torch.Tensor:
        """``(B, W, E)`` projected window -> ``(B, W, E)`` memory (positions, dropout, encoder)."""
        return self.encoder(projected)

    def decode(
        self, memory: torch.Tensor, memory_key_bias: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``(B, W, E)`` memory -> ``(B, A, E)`` anchor embeddings.

        ``memory_key_bias (B, W)`` (float or None) is added to the cross-attention logits at
        each key position, for every anchor query and head; OAT passes None.
        """
        return self.decoder(memory, memory_key_bias)

    def predict_instances(self, decoded: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, A, E)`` -> ``(cls_logits (B, A, C+1), reg (B, A, 2))``, logits, bg last."""
        return self.heads(decoded)

    def forward_windows(self, windows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, W, D_in)`` feature windows -> ``(cls_logits (B, A, C+1), reg (B, A, 2))``."""
        if windows.dim() != 3 or windows.shape[1:] != (self.window, self.feat_dim):
            raise ValueError(
                f"OATDetector expects windows (B, {self.window}, {self.feat_dim}), "
                f"got {tuple(windows.shape)}"
            )
        return self.predict_instances(self.decode(self.encode(self.project(windows))))

    def instance_losses(
        self,
        cls_logits: torch.Tensor,
        reg: torch.Tensor,
        cls_target: torch.Tensor,
        reg_target: torch.Tensor,
    ) -> dict[str, torch.Tensor]:
        """Weighted OAT losses over all ``B x A`` anchors: ``dict(loss_cls, loss_reg)``.

        Targets: ``cls_target (B, A, C+1)`` multi-hot, background last; ``reg_target (B, A, 2)``
        with ``r1 = -1000`` where an anchor has no regression target. In a DDP run the
        regression mean is over the foreground anchors of the GLOBAL batch and the graph is
        always kept (see ``reg_graph_without_foreground``), so 2 ranks of B/2 windows train
        like 1 process of B windows. The classification mean needs nothing: equal halves.
        """
        if cls_target.shape != cls_logits.shape or reg_target.shape != reg.shape:
            raise ValueError(
                f"targets cls {tuple(cls_target.shape)} / reg {tuple(reg_target.shape)} do not "
                f"match outputs {tuple(cls_logits.shape)} / {tuple(reg.shape)}"
            )
        num_foreground = mean_foreground_count_over_ranks(reg_target)
        distributed = num_foreground is not None  # DDP needs every parameter in the graph
        return dict(
            loss_cls=self.cls_loss_weight * soft_target_cross_entropy(cls_logits, cls_target),
            loss_reg=self.reg_loss_weight * foreground_l1_loss(
                reg, reg_target, keep_graph=self.reg_graph_without_foreground or distributed,
                num_foreground=num_foreground),
        )

    def forward(
        self,
        inputs: torch.Tensor | list[torch.Tensor],
        data_samples: dict | list[dict] | None = None,
        mode: str = "tensor",
    ):
        """mmengine entry point.

        - ``"tensor"``: inputs ``(B, W, D_in)`` -> ``(cls_logits (B, A, C+1), reg (B, A, 2))``.
        - ``"loss"``: inputs ``(B, W, D_in)``, data_samples ``dict(cls_target (B, A, C+1),
          reg_target (B, A, 2))`` (what ``default_collate`` makes of per-window dicts)
          -> ``dict(loss_cls, loss_reg)``.
        - ``"predict"``: inputs = list of whole videos ``(T, D_in)``, data_samples = list of
          per-video dicts (or ``pseudo_collate``'s dict of per-video lists) -> list of
          per-video result dicts from ``video_predictor``.
        """
        if mode == "tensor":
            return self.forward_windows(inputs)
        if mode == "loss":
            required = {"cls_target", "reg_target"}
            if not isinstance(data_samples, dict) or not required <= set(data_samples):
                found = sorted(data_samples) if isinstance(data_samples, dict) else data_samples
                raise KeyError(f"OATDetector loss mode needs data_samples=dict(cls_target=..., "
                               f"reg_target=...), got {found!r:.200}")
            cls_logits, reg = self.forward_windows(inputs)
            return self.instance_losses(
                cls_logits, reg, data_samples["cls_target"], data_samples["reg_target"])
        if mode == "predict":
            if self.video_predictor is None:
                raise ValueError("OATDetector predict mode needs `video_predictor=dict(type=...)` "
                                 "in the model config (a video predictor from oat/inference)")
            return [self.video_predictor(self, features, meta)
                    for features, meta in zip(inputs, per_video_samples(data_samples, len(inputs)))]
        raise ValueError(f"OATDetector: unknown mode {mode!r} (tensor, loss or predict)")


def per_video_samples(data_samples: list[dict] | dict | None, num_videos: int) -> list[dict]:
    """One meta dict per video from a list of dicts or from ``pseudo_collate``'s dict of lists.

    mmengine's ``pseudo_collate`` turns a batch of per-video dicts into one dict whose values
    are lists (one entry per video); both forms are accepted.
    """
    if isinstance(data_samples, dict):
        lengths = {key: len(values) for key, values in data_samples.items()}
        if set(lengths.values()) != {num_videos}:
            raise ValueError(f"data_samples fields {lengths} must each "
                             f"hold one entry per video ({num_videos})")
        data_samples = [{key: values[i] for key, values in data_samples.items()}
                        for i in range(num_videos)]
    if data_samples is None or len(data_samples) != num_videos:
        raise ValueError(f"expected one data sample per video ({num_videos}), got "
                         f"{data_samples!r:.80}")
    return list(data_samples)


def _part_config(config: dict | None, default_type: str, **shared) -> dict:
    """A part config with the detector's shared sizes filled in; conflicting values raise."""
    part = dict(type=default_type) if config is None else dict(config)
    for key, value in shared.items():
        if key in part and part[key] != value:
            raise ValueError(
                f"{part['type']}: {key}={part[key]!r} conflicts with the detector's {value!r}; "
                "set it on the detector only"
            )
        part[key] = value
    return part
