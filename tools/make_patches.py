"""Generate patches/: OnPoint's components as a ``git format-patch`` series against OAT.

    python tools/make_patches.py [--out patches] [--check]

Each patch moves one onpoint_ext component into ``oat/`` as a first-class module: the files
(imports rewritten from ``onpoint_ext...`` to ``oat...``), their registration (``oat/`` package
``__init__`` imports, registry locations), their configs (``custom_imports`` dropped) and their
tests. Apply in order with ``git am patches/*.patch`` (or ``git apply`` one patch at a time:
later patches build on earlier ones). The series is byte-reproducible (fixed author and date,
zeroed hashes); ``--check`` regenerates it in a temporary folder and exits 1 naming every patch
that differs from ``--out``. Regenerate after any change to onpoint_ext, its tests or configs,
or the oat files the patches touch. The component table below is the one place to edit when
onpoint_ext gains or renames a file (the generator names any file no component covers).
"""
import argparse
import sys
import tempfile
from pathlib import Path

from oat.cli import run_tool
from upstream.package_move import Component, PluginMover
from upstream.patch_series import (
    PatchSeries,
    copy_files,
    install_patches,
    source_files,
    stale_patches,
)

REPO = Path(__file__).resolve().parents[1]
PLUGIN, HOST = "onpoint_ext", "oat"
PLUGIN_FOLDERS = ["onpoint_ext", "tests/onpoint_ext"]  # empty once the whole series is applied
AUTHOR, EMAIL, DATE = "OnPoint authors", "onpoint@users.noreply.github.com", "2026-01-01T00:00:00Z"
# The series' own machinery is not part of what it moves (its table names onpoint_ext paths).
NOT_IN_SERIES = ("patches/", "tools/make_patches.py", "tests/tools/upstream/test_patches.py")
ONPOINT_CONFIGS = (
    "configs/_base_/point_supervised/*.py", "configs/onpoint/*.py", "configs/baselines/*.py"
)

COMPONENTS = (
    Component(
        "cass-head",
        "Add CASSHead: the student's own class activation sequence",
        "A two-layer MLP per window step that reads the encoder memory (B, W, E) and predicts\n"
        "class activation logits (B, W, C+1), background last. It is supervised by a teacher's\n"
        "CAS and its background channel can drive the decoder's actionness calibration.",
        moves=(("onpoint_ext/heads/memory_mlp.py", "oat/models/memory_mlp_head.py"),
               ("onpoint_ext/heads/cass.py", "oat/models/cass_head.py")),
    ),
    Component(
        "anticipation-head",
        "Add AnticipationHead: actions expected within the next W' steps",
        "A training-only head on the mean of the window memory that predicts which classes a\n"
        "teacher sees in the next W' steps (multi-label); its target helper slices that future\n"
        "from a per-video class activation sequence.",
        moves=(("onpoint_ext/heads/anticipation.py", "oat/models/anticipation_head.py"),),
    ),
    Component(
        "calibrated-decoder",
        "Add ActionnessCalibratedDecoder: anchor decoder with an actionness key bias",
        "OAT's anchor-query decoder with the cross-attention keys re-weighted by actionness\n"
        "r = 1 - sigmoid(background logit) through the generic memory_key_bias seam:\n"
        "bias = r + log(r). It has no parameter of its own, so its state dict is the decoder's\n"
        "and checkpoints load both ways.",
        moves=(("onpoint_ext/decoders/calibrated.py", "oat/models/calibrated_decoder.py"),
               ("tests/onpoint_ext/test_calibrated_decoder.py",
                "tests/oat/models/test_calibrated_decoder.py")),
    ),
    Component(
        "point-heads",
        "Add AnchorPointHeads: point class and point distance per anchor",
        "Per anchor, the class of the point label it covers (nearest the anchor centre) and the\n"
        "normalised distance |c_a - p| / L_a, with the target builder. The tests of the three\n"
        "new heads come with this patch.",
        moves=(("onpoint_ext/heads/point.py", "oat/models/point_heads.py"),
               ("tests/onpoint_ext/test_heads.py", "tests/oat/models/test_distillation_heads.py")),
    ),
    Component(
        "distillation",
        "Add point-supervised distillation: OnPointDistiller, its losses, WithTeacherTargets",
        "OnPointDistiller wraps an unchanged OATDetector (student.* keys load into a plain OAT\n"
        "model) and adds the CASS, anticipation and point heads with their losses;\n"
        "WithTeacherTargets wraps OAT's window dataset and adds the teacher's CAS, future\n"
        "classes, pseudo-segment anchor targets and point targets, read from a frozen teacher\n"
        "cache (h5 with provenance). The OnPoint and baseline configs no longer need\n"
        "custom_imports.",
        moves=(("onpoint_ext/losses.py", "oat/models/distillation_losses.py"),
               ("onpoint_ext/distiller.py", "oat/models/distiller.py"),
               ("onpoint_ext/teachers/cache.py", "oat/datasets/teacher_cache.py"),
               ("onpoint_ext/datasets.py", "oat/datasets/teacher_targets.py"),
               ("tests/onpoint_ext/test_losses.py", "tests/oat/models/test_distillation_losses.py"),
               ("tests/onpoint_ext/test_distiller.py", "tests/oat/models/test_distiller.py"),
               ("tests/onpoint_ext/test_datasets.py", "tests/oat/datasets/test_teacher_targets.py"),
               ("tests/onpoint_ext/test_configs.py", "tests/configs/test_onpoint_configs.py")),
        configs=ONPOINT_CONFIGS,
        edits=(("tests/configs/test_onpoint_configs.py",
                '    assert cfg.custom_imports.imports == ["onpoint_ext"]\n',
                '    assert "custom_imports" not in cfg\n'),),
    ),
    Component(
        "teachers",
        "Add the point-supervised teachers HR-Pro and TSASPC as oat.teachers",
        "HR-Pro stage 1 and TSASPC (networks, losses, pseudo-label steps, datasets, hooks) as\n"
        "oat.teachers, registered through a new registry location, with the pseudo-label\n"
        "quality report and their configs. The OnPoint method now lives in oat, so the test\n"
        "of the plugin boundary goes.",
        moves=(("onpoint_ext/teachers/", "oat/teachers/"),
               ("tests/onpoint_ext/teachers/", "tests/oat/teachers/")),
        configs=("configs/teachers/*.py",),
        deletes=("tests/test_plugin_boundary.py",),
    ),
)


def parse_args() -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(REPO / "patches"), help="patch folder")
    parser.add_argument("--check", action="store_true",
                        help="regenerate in a temporary folder; exit 1 if --out is stale")
    return parser.parse_args()


def generate(out: Path, repo: Path = REPO) -> list[Path]:
    """Build the series from ``repo``'s working tree into the (new, empty) folder ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        copy_files(repo, source_files(repo, excluded=NOT_IN_SERIES), tree)
        series = PatchSeries(tree, AUTHOR, EMAIL, DATE)
        mover = PluginMover(tree, PLUGIN, HOST)
        for component in COMPONENTS:
            mover.apply(component)
            series.commit(f"{component.subject}\n\n{component.body}\n")
        for note in mover.notes:
            print(f"note: {note}", file=sys.stderr)
        left = mover.leftovers(PLUGIN_FOLDERS)
        if left:
            raise ValueError(f"not moved by any patch: {', '.join(left)}; add them to "
                             f"COMPONENTS in tools/make_patches.py")
        return series.format_patches(out, [component.slug for component in COMPONENTS])


def check(out: Path, repo: Path = REPO) -> list[str]:
    """Names of the patches in ``out`` that differ from a fresh generation (empty: up to date)."""
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "series", repo)
        return stale_patches(Path(tmp) / "series", out)


def main() -> None:
    """Generate (or check) the series."""
    args = parse_args()
    out = Path(args.out)
    if args.check:
        stale = check(out)
        if stale:
            print(f"error: {out} is stale ({', '.join(stale)}); run: python "
                  f"tools/make_patches.py --out {args.out}", file=sys.stderr)
            sys.exit(1)
        print(f"{out}: up to date ({len(COMPONENTS)} patches)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        written = generate(Path(tmp) / "series")
        install_patches(Path(tmp) / "series", out)
    for path in written:
        print(out / path.name)


if __name__ == "__main__":
    run_tool(main)
