"""Point-supervised offline teachers (HR-Pro, TSASPC) and the frozen teacher cache."""
from onpoint_ext.teachers import cache, hrpro  # noqa: F401
