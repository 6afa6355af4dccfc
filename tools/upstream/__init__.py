"""Developer tooling for sending the plugin upstream, kept out of the ``oat`` library.

``tools/make_patches.py`` moves each OnPoint component from ``onpoint_ext/`` into ``oat/`` in a
scratch copy of the tree (``package_move``: files, import rewriting, registry locations and
package ``__init__`` imports, configs' ``custom_imports``) and records one git patch per
component (``patch_series``). ``tools/diff_configs.py`` shows what a plugin config changes
against an OAT config (``config_diff``). Importable as ``upstream`` from ``tools/`` (scripts run
from there; pytest adds ``tools`` to ``sys.path``).
"""
