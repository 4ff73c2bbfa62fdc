"""cimc from Python: compile, quantize, run (numpy in, numpy out), report
and sweep through the ``cimc`` executable, and (``cimc.distributed``) a
sweep's points on a Dask cluster."""

from ._executable import CimcError, executable
from .api import compile, plan, quantize, report, run, sweep
from .records import results

__version__ = "0.1.0"

__all__ = ["CimcError", "executable", "compile", "quantize", "run", "report", "plan", "sweep", "results"]
