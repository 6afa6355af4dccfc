"""Point-supervised offline teachers (HR-Pro, TSASPC) and the frozen teacher cache."""
from onpoint_ext.teachers import cache, hrpro  # noqa: F401
from onpoint_ext.teachers import tsaspc  # noqa: F401
