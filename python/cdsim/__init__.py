"""cdsim from Python: run and validate scenarios in-process, and load what runs wrote.

    import cdsim
    run = cdsim.run("scenarios/quickstart.json", out="runs/quickstart")
    run.metrics            # pandas DataFrame of metrics.csv
    cdsim.load_run("runs/quickstart").summary

A scenario is a path to a JSON file or a dict of the same content. Bad scenarios raise
ScenarioError (a ValueError) with the one-line message `cdsim` prints: "file: /pointer: ...".
See docs/python.md.
"""

from . import _cdsim
from ._cdsim import RunError, ScenarioError
from ._scenario import resolve, run, schema, topology_report, validate
from .runs import Run, load_run
from .sweeps import Sweep, load_sweep, sweep
from .traces import read_links, read_trace

__version__ = _cdsim.__version__

__all__ = [
    "Run",
    "RunError",
    "ScenarioError",
    "Sweep",
    "load_run",
    "load_sweep",
    "read_links",
    "read_trace",
    "resolve",
    "run",
    "schema",
    "sweep",
    "topology_report",
    "validate",
]
