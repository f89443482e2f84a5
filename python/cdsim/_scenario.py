"""The functions that take a scenario: a path (str or os.PathLike) or a dict."""

import json
import os

from . import _cdsim
from .runs import Run

# The name a dict scenario goes by in error messages, where a file's path would stand, and
# its name when it gives none (a file's default is its stem).
DICT_ORIGIN = "<dict>"
DICT_DEFAULT_NAME = "scenario"


def _source(scenario):
    """(path or JSON text, is_file, origin) for the extension."""
    if isinstance(scenario, dict):
        if "name" not in scenario:
            scenario = {"name": DICT_DEFAULT_NAME, **scenario}
        return json.dumps(scenario), False, DICT_ORIGIN
    if isinstance(scenario, (str, os.PathLike)):
        path = os.fspath(scenario)
        return path, True, path
    raise TypeError(f"a scenario is a path or a dict, not {type(scenario).__name__}")


def validate(scenario):
    """Checks a scenario as `cdsim validate` does; returns a dict of what it describes
    (name, agents, topology, edges, algorithm). Raises ScenarioError."""
    return _cdsim.validate(*_source(scenario))


def schema(kind="scenario"):
    """The JSON Schema of scenario files (`cdsim schema`), or with kind="sweep" of sweep
    files (`cdsim schema --sweep`), as a dict."""
    if kind == "scenario":
        return json.loads(_cdsim.scenario_json_schema())
    if kind == "sweep":
        return json.loads(_cdsim.sweep_json_schema())
    raise ValueError(f"schema kind must be 'scenario' or 'sweep', not {kind!r}")


def resolve(scenario):
    """The scenario as a dict with every default written out (scenario.resolved.json)."""
    return json.loads(_cdsim.resolve(*_source(scenario)))


def run(scenario, out=None, *, threads=None, progress=False):
    """Runs a scenario in this process, as `cdsim run` does, and returns its Run.

    out: the run directory (default: runs/<scenario name> under the working directory);
    an earlier run directory or an empty folder there is replaced, anything else is an
    error. threads: evaluation threads (results do not depend on it; default as the
    program's). progress: print progress to stderr. The GIL is released while the run
    simulates. Raises ScenarioError for bad input and RunError when the run fails.
    """
    threads = _cdsim.default_threads() if threads is None else int(threads)
    result = _cdsim.run(*_source(scenario), "" if out is None else os.fspath(out), threads, bool(progress))
    return Run(result["run_directory"])


def topology_report(scenario, *, parameters=None, factor=1000.0, shared_uplink=False):
    """The what-if figures of `cdsim topology --json` for a scenario, as a dict; for a list
    of scenarios, a pandas DataFrame with one row each.

    parameters: model size (default: the scenario's model); factor: the disagreement
    shrink factor to predict steps for; shared_uplink: an agent's messages share one uplink.
    """
    if isinstance(scenario, (list, tuple)):
        import pandas

        return pandas.DataFrame(
            [topology_report(s, parameters=parameters, factor=factor, shared_uplink=shared_uplink) for s in scenario]
        )
    return _cdsim.topology_report(*_source(scenario), int(parameters or 0), float(factor), bool(shared_uplink))
