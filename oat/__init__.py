"""Our implementation of OAT (Kim et al., ECCV 2022): online temporal action localization.

Importing ``oat`` installs the version fixes of :mod:`oat.compat`. ``oat`` imports no plugin:
plugins register into :mod:`oat.registry` from their own packages.
"""
from oat import compat  # noqa: F401  (side effect: version fixes)

__version__ = "0.1.0"
