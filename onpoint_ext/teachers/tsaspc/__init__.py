"""TSASPC (Du et al., IJCAI 2023) on MS-TCN as a point-supervised offline teacher.

Importing this package registers ``TSASPCNetwork`` and ``TSASPCTeacher`` (MODELS),
``TSASPCVideoDataset`` (DATASETS) and ``TSASPCLabelScheduleHook`` (HOOKS) into ``oat.registry``.
"""
from onpoint_ext.teachers.tsaspc import dataset, hooks, model, network  # noqa: F401
