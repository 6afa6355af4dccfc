"""Every mmengine registry node used by Runner, as children with scope ``"oat"``.

One tree owned by ``oat``: plugins register into these nodes and define none of their own
(conventions §2). Defining the full set keeps Runner from falling back to the root registry
(and from logging "Failed to search registry with scope" warnings) when ``default_scope="oat"``.
"""
from mmengine import registry as root
from mmengine.registry import Registry


def _node(parent: Registry, *locations: str) -> Registry:
    """A child of ``parent`` with scope ``oat``; ``locations`` are imported on first lookup."""
    return Registry(parent.name, parent=parent, scope="oat", locations=list(locations))


RUNNERS = _node(root.RUNNERS)
RUNNER_CONSTRUCTORS = _node(root.RUNNER_CONSTRUCTORS)
LOOPS = _node(root.LOOPS)
HOOKS = _node(root.HOOKS)
LOG_PROCESSORS = _node(root.LOG_PROCESSORS)
OPTIMIZERS = _node(root.OPTIMIZERS)
OPTIM_WRAPPERS = _node(root.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _node(root.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _node(root.PARAM_SCHEDULERS)
DATASETS = _node(root.DATASETS, "oat.datasets")
DATA_SAMPLERS = _node(root.DATA_SAMPLERS, "oat.datasets")
TRANSFORMS = _node(root.TRANSFORMS, "oat.datasets")
MODELS = _node(root.MODELS, "oat.models", "oat.inference")
MODEL_WRAPPERS = _node(root.MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _node(root.WEIGHT_INITIALIZERS)
METRICS = _node(root.METRICS, "oat.evaluation")
EVALUATOR = _node(root.EVALUATOR, "oat.evaluation")
TASK_UTILS = _node(root.TASK_UTILS, "oat.inference")
FUNCTIONS = _node(root.FUNCTIONS)
VISUALIZERS = _node(root.VISUALIZERS)
VISBACKENDS = _node(root.VISBACKENDS)
INFERENCERS = _node(root.INFERENCERS)
