"""OnPoint's new heads: CASS predictor, anticipation head, anchor-level point heads."""
from onpoint_ext.heads.anticipation import AnticipationHead, anticipation_target
from onpoint_ext.heads.cass import CASSHead, teacher_cas_window
from onpoint_ext.heads.point import AnchorPointHeads, anchor_point_targets

__all__ = [
    "AnchorPointHeads",
    "AnticipationHead",
    "CASSHead",
    "anchor_point_targets",
    "anticipation_target",
    "teacher_cas_window",
]
