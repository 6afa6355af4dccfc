"""OAT's model: two-stream (or one-stream) projection, window encoder, anchor-query decoder, heads, losses.

Importing this package registers every part in ``oat.registry.MODELS``.
"""
from oat.models.decoder import AnchorQueryDecoder
from oat.models.detector import OATDetector
from oat.models.encoder import WindowTransformerEncoder
from oat.models.heads import AnchorInstanceHeads
from oat.models.losses import foreground_l1_loss, soft_target_cross_entropy
from oat.models.positional import SinusoidalPositionalEncoding, sinusoidal_table
from oat.models.projection import SingleStreamProjection, TwoStreamProjection

__all__ = [
    "AnchorInstanceHeads",
    "AnchorQueryDecoder",
    "OATDetector",
    "SingleStreamProjection",
    "SinusoidalPositionalEncoding",
    "TwoStreamProjection",
    "WindowTransformerEncoder",
    "foreground_l1_loss",
    "sinusoidal_table",
    "soft_target_cross_entropy",
]
