"""Sweep folders (written by `cdsim sweep`) as Python values.

The layout: SWEEPDIR/sweep.json (the resolved sweep), SWEEPDIR/index.csv (one row per run:
`id`, one column per axis named by its dotted field path, `seed`, `status`
(complete|failed|missing), the run's final figures, then `run_dir` relative to SWEEPDIR),
and SWEEPDIR/runs/<id>/, an ordinary run directory each.
"""

import json
import os
from functools import cached_property
from pathlib import Path

from . import _cdsim
from .runs import Run


class Sweep:
    """A sweep folder: its spec, its index, and the runs that completed."""

    def __init__(self, directory):
        self.directory = Path(directory)
        if not (self.directory / "index.csv").is_file():
            raise FileNotFoundError(f"{self.directory}: not a cdsim sweep folder (no index.csv)")

    def __repr__(self):
        return f"Sweep({str(self.directory)!r})"

    @cached_property
    def spec(self):
        """sweep.json as a dict (empty when the folder has none)."""
        path = self.directory / "sweep.json"
        if not path.is_file():
            return {}
        with open(path, encoding="utf-8") as file:
            return json.load(file)

    @cached_property
    def index(self):
        """index.csv as a DataFrame: one row per run, axis values as columns."""
        import pandas

        index = pandas.read_csv(self.directory / "index.csv", dtype={"id": str, "run_dir": str})
        for required in ("id", "seed", "status", "run_dir"):
            if required not in index.columns:
                raise ValueError(f"{self.directory / 'index.csv'}: no column {required!r}")
        return index

    @property
    def axes(self):
        """The axis columns of the index: the dotted field paths between `id` and `seed`."""
        columns = list(self.index.columns)
        return columns[columns.index("id") + 1 : columns.index("seed")]

    @cached_property
    def runs(self):
        """{id: Run} for every complete run, in index order."""
        complete = self.index[self.index["status"] == "complete"]
        return {row.id: Run(self.directory / row.run_dir) for row in complete.itertuples()}

    def _stacked(self, table):
        import pandas

        keys = ["id", *self.axes, "seed"]
        by_id = self.index.set_index("id")
        frames = []
        for run_id, run in self.runs.items():
            frame = getattr(run, table).copy()
            for position, key in enumerate(keys):
                frame.insert(position, key, run_id if key == "id" else by_id.at[run_id, key])
            frames.append(frame)
        if not frames:
            return pandas.DataFrame(columns=keys)
        return pandas.concat(frames, ignore_index=True)

    @cached_property
    def metrics(self):
        """Every complete run's metrics.csv stacked, with `id`, the axis columns and `seed`
        in front: ready for groupby over axes (seed bands) or seaborn's hue/style."""
        return self._stacked("metrics")

    @cached_property
    def agents(self):
        """Every complete run's agents.csv stacked, with the same key columns as metrics."""
        return self._stacked("agents")


def load_sweep(directory):
    """The Sweep of a folder written by `cdsim sweep`."""
    return Sweep(directory)


def sweep(spec, out=None, *, threads=None, progress=False):
    """Runs a sweep in this process, one run after another, as `cdsim sweep` lays it out
    (sweep.json, index.csv, runs/<id>/, logs/), and returns its Sweep.

    spec: a sweep file's path, or a dict of the same content (docs/sweeps.md); a dict's
    relative paths (its "base" file) are relative to the working directory. out: the sweep
    folder (default runs/<name>); runs already complete there are kept, so a call resumes.
    threads: each run's threads (results do not depend on it). The GIL is released while
    the runs simulate. Raises ScenarioError for a bad sweep or run scenario (the program's
    one-line message), RunError when the folder cannot be used; a run that fails is
    "failed" in sweep.index, with its error in logs/<id>.log.
    """
    threads = _cdsim.default_threads() if threads is None else int(threads)
    out = "" if out is None else os.fspath(out)
    if isinstance(spec, dict):
        anchor = os.path.join(os.getcwd(), f"{spec.get('name', 'sweep')}.json")
        result = _cdsim.sweep(json.dumps(spec), False, anchor, out, threads, bool(progress))
    elif isinstance(spec, (str, os.PathLike)):
        result = _cdsim.sweep(os.fspath(spec), True, "", out, threads, bool(progress))
    else:
        raise TypeError(f"a sweep is a path or a dict, not {type(spec).__name__}")
    return Sweep(os.path.abspath(result["directory"]))
