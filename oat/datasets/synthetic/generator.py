"""Renders the student and teacher features of annotated videos from one latent process each.

The "world" (class phase vectors, the fixed projections of each view) is drawn once from the
seed; each video's latent process and each view's noise come from streams named after the video
(and the view), so every array is reproducible on its own and in any order. The ``pre-action``
generator (``LatentSpec.pre_action`` set) adds context before every instance from streams of its
own: the rest of each video is then the same as with the ``plain`` generator.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from oat.datasets.annotations import AnnotationSet, VideoAnnotation
from oat.datasets.synthetic.latent import (
    VideoLatent,
    build_class_phases,
    render_latent,
    sample_video_latent,
)
from oat.datasets.synthetic.pre_action import build_pre_action_vectors, pre_action_events
from oat.datasets.synthetic.specs import BenchmarkPreset, ViewSpec
from oat.datasets.synthetic.seeding import rng_for
from oat.datasets.synthetic.views import build_view_projections, render_view

VIEWS = ("student", "teacher")


def num_steps_for(duration: float, rate: float) -> int:
    """Feature length of a video: ``T = round(duration * rate)``, at least 1."""
    return max(int(round(duration * rate)), 1)


def resolve_confusable_pairs(preset: BenchmarkPreset, classes: list[str]) -> list[tuple[int, int]]:
    """Class-index pairs that share their onset.

    The preset's named pairs whose classes are both in ``classes``. When the preset has pairs
    but none matches (a real annotation file with other class names), consecutive pairs
    (0, 1), (2, 3), ... so the task keeps its confusable classes.
    """
    index = {name: k for k, name in enumerate(classes)}
    named = [(index[a], index[b]) for a, b in preset.confusable_pairs if a in index and b in index]
    if named or not preset.confusable_pairs:
        return named
    return [(k, k + 1) for k in range(0, len(classes) - 1, 2)]


class FeatureGenerator:
    """Both feature views of the videos of ``annotations``, deterministic by ``seed``."""

    def __init__(self, preset: BenchmarkPreset, annotations: AnnotationSet, seed: int):
        self.preset = preset
        self.seed = int(seed)
        self.confusable_pairs = resolve_confusable_pairs(preset, annotations.classes)
        self.phases = build_class_phases(
            annotations.num_classes, self.confusable_pairs, preset.latent, rng_for(seed, "phases")
        )
        self.projections = {
            name: build_view_projections(self.view(name), preset.latent,
                                         rng_for(seed, "projection", name))
            for name in VIEWS
        }
        self.pre_action_vectors = None
        if preset.latent.pre_action is not None:
            self.pre_action_vectors = build_pre_action_vectors(
                annotations.num_classes, self.confusable_pairs, preset.latent,
                rng_for(seed, "pre-action-phases"))
        self._latents: dict[str, VideoLatent] = {}

    def view(self, name: str) -> ViewSpec:
        """The preset's ``"student"`` or ``"teacher"`` view."""
        if name not in VIEWS:
            raise ValueError(f"unknown feature view {name!r}; expected one of {VIEWS}")
        return getattr(self.preset, name)

    def latent(self, video: VideoAnnotation) -> VideoLatent:
        """The video's latent process (the same for both views; drawn once, then kept)."""
        if video.video_id not in self._latents:
            rng = rng_for(self.seed, "latent", video.video_id)
            latent = sample_video_latent(video, self.phases, self.preset.latent, rng)
            if self.pre_action_vectors is not None:
                context = pre_action_events(video, self.pre_action_vectors, self.preset.latent,
                                            rng_for(self.seed, "pre-action", video.video_id))
                latent = replace(latent, events=latent.events + tuple(context))
            self._latents[video.video_id] = latent
        return self._latents[video.video_id]

    def render(self, video: VideoAnnotation, view_name: str) -> np.ndarray:
        """Features ``(T, D)`` float32 of one video in one view, ``T = round(duration * rate)``."""
        view = self.view(view_name)
        num_steps = num_steps_for(video.duration, view.rate)
        h_bg, h_act = render_latent(self.latent(video), num_steps)
        rng = rng_for(self.seed, "noise", view_name, video.video_id)
        return render_view(h_bg, h_act, view, self.projections[view_name], rng,
                           video.duration / num_steps)
