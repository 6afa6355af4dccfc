"""HR-Pro (Zhang et al., AAAI 2024) stage 1 as a point-supervised offline teacher.

Importing this package registers ``HRProNetwork`` and ``HRProTeacher`` (MODELS),
``HRProVideoDataset`` (DATASETS) and ``HRProPrototypeInitHook`` (HOOKS) into ``oat.registry``.
"""
from onpoint_ext.teachers.hrpro import dataset, hooks, model  # noqa: F401
