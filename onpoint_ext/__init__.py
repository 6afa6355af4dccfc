"""OnPoint as a plugin to OAT: importing this package registers its components into
``oat.registry``. Activated only by ``custom_imports=dict(imports=["onpoint_ext"])`` in a config.
"""
from onpoint_ext import datasets, decoders, distiller, heads, losses, teachers  # noqa: F401
