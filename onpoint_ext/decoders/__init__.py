"""OnPoint's decoder variants."""
from onpoint_ext.decoders.calibrated import ActionnessCalibratedDecoder, actionness_key_bias

__all__ = ["ActionnessCalibratedDecoder", "actionness_key_bias"]
