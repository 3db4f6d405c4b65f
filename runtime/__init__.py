"""Host runtime of the accelerator: runs an exported model (golden ``Model``, the bundle's
``model.npz``) on the engine through a driver (``runtime.driver``): layer-major passes for
bidirectional and deep stacks, weights switched through the load port, the classifier on the
host, cycle accounting per pass.  ``python -m runtime --help``; docs/runtime.md."""
from .driver import Driver
from .host import (DEFAULT_MAX_FRAMES, Pass, PassStats, RunError, RunResult, Runtime,
                   check_inputs, engine_params, pass_model, plan)

__all__ = ["Driver", "Runtime", "RunResult", "PassStats", "Pass", "RunError", "engine_params",
           "plan", "pass_model", "check_inputs", "DEFAULT_MAX_FRAMES"]
