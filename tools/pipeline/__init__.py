"""The one-command main job (``tools/run_pipeline.py``): a stage graph of tool runs with
fingerprint caching, resume after interruption, and a report with plots.

Registers nothing: each stage runs in its own subprocess, whose config imports what it needs.
Project glue, not part of the method: it lives under ``tools/`` (importable as ``pipeline`` from
there; pytest adds ``tools`` to ``sys.path``) and never goes upstream with ``patches/``.
"""
