#!/usr/bin/python3
"""Plots cdsim run directories: a metric against epochs, simulated seconds and bytes on
the wire, and the agents' consensus distance on a log scale, one line per run.

    plot.py RUN_DIR... [--out FILE.png|FILE.svg|FILE.pdf] [--x epoch|sim_time|bytes]
            [--metric COLUMN] [--yscale auto|linear|log] [--xscale linear|log]
            [--labels LABEL...] [--title TEXT] [--width INCHES] [--height INCHES]
            [--dpi N] [--dump-data]
    plot.py --series FILE.json [same drawing options]
    plot.py RUN_DIR --timeline CHROME_JSON [--out FILE] [--title TEXT] [--dpi N]

With --series, the lines come precomputed from `cdsim plot SWEEP_DIR` (one per
configuration: the mean over seeds with a band, analysis/studies/band_series.h) and are
drawn with the band shaded.

Default figure (no --x): four panels -- the metric against epoch, sim_time and bytes,
and consensus_distance against epoch. With --x: one panel, the metric against that
axis. The metric defaults to test_accuracy, or test_loss when some run has no accuracy
(regression). Losses and consensus distance are drawn on a log scale (points <= 0 left
out) unless --yscale says otherwise. Columns are read by name from metrics.csv; extra columns are ignored.
Bad input (missing directory or file, empty file, missing column, bad value) exits
with code 2 and one line naming the file and what is wrong. Output is written to a
temporary file and renamed into place; SVG and PDF output is byte-identical across
reruns. See docs/plots.md.
"""

import argparse
import csv
import json
import math
import os
import sys
import tempfile

# The x axes: option value -> (metrics.csv column, axis label).
X_AXES = {
    "epoch": ("epoch", "epoch"),
    "sim_time": ("sim_time_s", "simulated time (s)"),
    "bytes": ("bytes_total", "bytes on the wire"),
}
CONSENSUS = "consensus_distance"
YSCALES = ("auto", "linear", "log")
AXIS_LABELS = {
    "test_accuracy": "test accuracy",
    "train_accuracy": "train accuracy",
    "average_model_test_accuracy": "test accuracy of the average model",
    "test_loss": "test loss",
    "train_loss": "train loss",
    "average_model_test_loss": "test loss of the average model",
    CONSENSUS: "consensus distance",
}
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """Bad user input: the message names the file or directory and what is wrong."""


class Run:
    """One run directory: its metrics.csv columns (by name) and its label."""

    def __init__(self, directory, columns, label):
        self.directory = directory
        self.columns = columns  # name -> list of raw strings
        self.label = label

    def values(self, name):
        """The column as floats; BadInput names the file, column and row if one is not a number."""
        path = os.path.join(self.directory, "metrics.csv")
        if name not in self.columns:
            raise BadInput(f"{path}: no column '{name}' (found: {', '.join(self.columns)})")
        out = []
        for row, text in enumerate(self.columns[name], start=2):
            try:
                out.append(float(text))
            except ValueError:
                raise BadInput(f"{path}: line {row}, column '{name}': '{text}' is not a number") from None
        return out


def read_metrics(directory):
    if not os.path.isdir(directory):
        what = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise BadInput(f"{directory}: run directory {what}")
    path = os.path.join(directory, "metrics.csv")
    if not os.path.isfile(path):
        raise BadInput(f"{path}: missing (is {directory} a cdsim run directory?)")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise BadInput(f"{path}: empty file, expected a header line and one row per evaluation")
    header = [cell.strip() for cell in rows[0]]
    body = [row for row in rows[1:] if row]
    if not body:
        raise BadInput(f"{path}: header only, expected at least one row of metrics")
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise BadInput(f"{path}: line {line} has {len(row)} fields, the header has {len(header)}")
    columns = {name: [row[i].strip() for row in body] for i, name in enumerate(header)}
    return columns


def read_label(directory):
    """scenario / algorithm / topology from summary.json; what is missing is left out, and
    with no summary.json at all the label is the directory's name."""
    path = os.path.join(directory, "summary.json")
    try:
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
    except FileNotFoundError:
        return os.path.basename(os.path.normpath(directory))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: not valid JSON ({error})") from None
    if not isinstance(summary, dict):
        raise BadInput(f"{path}: expected a JSON object")
    topology = summary.get("topology")
    parts = [summary.get("scenario"), summary.get("algorithm"),
             topology.get("kind") if isinstance(topology, dict) else None]
    parts = [part for part in parts if isinstance(part, str) and part]
    return " / ".join(parts) if parts else os.path.basename(os.path.normpath(directory))


def load_runs(directories, labels):
    if labels is not None and len(labels) != len(directories):
        raise BadInput(f"--labels: {len(labels)} labels given for {len(directories)} run directories")
    runs = []
    for i, directory in enumerate(directories):
        columns = read_metrics(directory)
        label = labels[i] if labels is not None else read_label(directory)
        runs.append(Run(directory, columns, label))
    # Two runs of one scenario (other seeds, say) get their directory name to tell them apart.
    seen = {}
    for run in runs:
        seen[run.label] = seen.get(run.label, 0) + 1
    for run in runs:
        if labels is None and seen[run.label] > 1:
            run.label += f" ({os.path.basename(os.path.normpath(run.directory))})"
    return runs


def has_finite(values):
    return any(math.isfinite(v) for v in values)


def choose_metric(runs, requested):
    if requested is not None:
        for run in runs:
            if not has_finite(run.values(requested)):
                path = os.path.join(run.directory, "metrics.csv")
                hint = " (regression runs have no accuracy; try --metric test_loss)" if "accuracy" in requested else ""
                raise BadInput(f"{path}: column '{requested}' has no finite value{hint}")
        return requested
    if all(has_finite(run.values("test_accuracy")) for run in runs):
        return "test_accuracy"
    return "test_loss"


def panels_for(x_option, metric):
    """The panels to draw: list of (x option, y column)."""
    if x_option is not None:
        return [(x_option, metric)]
    return [("epoch", metric), ("sim_time", metric), ("bytes", metric), ("epoch", CONSENSUS)]


def y_scale(y_name, requested):
    """Losses and consensus distance span decades: log scale unless asked otherwise."""
    if requested != "auto":
        return requested
    return "log" if y_name == CONSENSUS or "loss" in y_name else "linear"


def series(run, x_option, y_name, log):
    """The points drawn for one run in one panel: finite pairs, and positive y on a log scale."""
    xs = run.values(X_AXES[x_option][0])
    ys = run.values(y_name)
    points = [(x, y) for x, y in zip(xs, ys)
              if math.isfinite(x) and math.isfinite(y) and (y > 0 or not log)]
    return [p[0] for p in points], [p[1] for p in points]


def build_data(runs, panels, requested_scale):
    data = []
    for x_option, y_name in panels:
        # --yscale applies to the chosen metric; the consensus-distance panel spans orders of
        # magnitude and stays logarithmic unless it is the metric asked for.
        own_scale = requested_scale if y_name == panels[0][1] else "auto"
        scale = y_scale(y_name, own_scale)
        lines = []
        for run in runs:
            xs, ys = series(run, x_option, y_name, scale == "log")
            lines.append({"run": run.directory, "label": run.label, "x": xs, "y": ys})
        data.append({"x": X_AXES[x_option][0], "y": y_name, "yscale": scale, "series": lines})
    return data


class MissingMatplotlib(Exception):
    """matplotlib cannot be imported by this interpreter: an installation problem, exit 1."""


def wrapped_title(title, width_inches):
    """The title broken into lines that fit the figure's width (about 11 characters an
    inch at the suptitle's size), so that a long title never runs off the figure."""
    import textwrap
    return "\n".join(textwrap.wrap(title, max(20, int(width_inches * 11)))) if title else title


def positive_floor(values):
    """The smallest positive value, for clipping band edges on a log scale."""
    positive = [v for v in values if v is not None and v > 0]
    return min(positive) if positive else None


def draw(data, title, dpi, width=None, height=None, xscale="linear"):
    import_matplotlib()
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter

    columns = 2 if len(data) > 1 else 1
    rows = (len(data) + columns - 1) // columns
    line_count = max((len(panel["series"]) for panel in data), default=0)
    # Up to four lines fit in a panel's legend; more get a legend row of their own below
    # the panels, sized by the layout, so that it covers no data.
    legend_below = line_count > 4
    size_width = width or 5.0 * columns
    # As many legend columns as fit the figure's width (about 14 characters an inch at the
    # legend's small size, plus room for the line sample), at most three.
    longest = max((len(line["label"]) for panel in data for line in panel["series"]), default=1)
    legend_columns = max(1, min(3, line_count, int(size_width * 14 // (longest + 6))))
    legend_rows = (line_count + legend_columns - 1) // legend_columns if legend_below else 0
    legend_height = 0.28 * legend_rows + 0.2 if legend_below else 0.0
    size = (size_width, height or 3.6 * rows + legend_height)
    figure = plt.figure(figsize=size, dpi=dpi, layout="constrained")
    ratios = [1.0] * rows + ([legend_height / max(0.1, (size[1] - legend_height) / rows)] if legend_below else [])
    grid = figure.add_gridspec(rows + (1 if legend_below else 0), columns, height_ratios=ratios)
    axes = [[figure.add_subplot(grid[r, c]) for c in range(columns)] for r in range(rows)]
    x_labels = {column: label for column, label in X_AXES.values()}
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    for i, panel in enumerate(data):
        ax = axes[i // columns][i % columns]
        log_y = panel["yscale"] == "log"
        for j, line in enumerate(panel["series"]):
            color = f"C{j % 10}"
            ax.plot(line["x"], line["y"], marker=markers[(j // 10) % len(markers)], markersize=3,
                    linewidth=1.4, label=line["label"], color=color)
            if line.get("low") is not None:
                low, high = line["low"], line["high"]
                floor = positive_floor(line["y"]) if log_y else None
                low = [(v if v is not None else y) for v, y in zip(low, line["y"])]
                high = [(v if v is not None else y) for v, y in zip(high, line["y"])]
                if floor is not None:
                    low = [max(v, floor * 1e-3) for v in low]
                ax.fill_between(line["x"], low, high, color=color, alpha=0.18, linewidth=0)
        ax.set_yscale(panel["yscale"])
        ax.set_xscale(xscale)
        ax.set_xlabel(x_labels.get(panel["x"], panel["x"]))
        ax.set_ylabel(AXIS_LABELS.get(panel["y"], panel["y"]))
        if panel["x"] == "bytes_total" and xscale == "linear":
            ax.xaxis.set_major_formatter(EngFormatter(unit="B"))
        ax.grid(True, which="major", alpha=0.3)
        if i == 0 and not legend_below and line_count > 0:
            ax.legend(fontsize="small")
    for i in range(len(data), rows * columns):
        axes[i // columns][i % columns].set_visible(False)
    if legend_below:
        legend_axis = figure.add_subplot(grid[rows, :])
        legend_axis.axis("off")
        handles, labels = axes[0][0].get_legend_handles_labels()
        legend_axis.legend(handles, labels, loc="center", ncol=legend_columns, fontsize="small", frameon=False)
    if title:
        figure.suptitle(wrapped_title(title, size[0]))
    return figure


def read_series(path, requested_scale):
    """Panels precomputed by `cdsim plot SWEEP_DIR`, with the y scale chosen as for runs."""
    try:
        with open(path, encoding="utf-8") as f:
            series = json.load(f)
    except (OSError, json.JSONDecodeError) as error:
        raise BadInput(f"{path}: cannot read the series ({error})") from None
    panels = series.get("panels") if isinstance(series, dict) else None
    if not isinstance(panels, list) or not panels:
        raise BadInput(f"{path}: expected an object with a non-empty list of panels")
    for panel in panels:
        own_scale = requested_scale if panel["y"] == panels[0]["y"] else "auto"
        panel["yscale"] = y_scale(panel["y"], own_scale)
        if panel["yscale"] == "log":
            for line in panel["series"]:
                keep = [k for k, y in enumerate(line["y"]) if y is not None and y > 0]
                for key in ("x", "y", "low", "high", "seeds"):
                    if key in line and line[key] is not None:
                        line[key] = [line[key][k] for k in keep]
    return panels


TIMELINE_MAX_AGENTS = 64


def read_timeline(path):
    """Agents' compute and wait intervals and sends from a Chrome trace-event file written by
    `cdsim trace --chrome` (analysis/trace_analysis.h), in seconds."""
    try:
        with open(path, encoding="utf-8") as f:
            events = json.load(f)["traceEvents"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BadInput(f"{path}: not a timeline written by cdsim trace --chrome ({error})") from None
    timeline = {"compute": {}, "wait": {}, "send": {}, "lost": {}, "link_changes": []}
    for event in events:
        name = event.get("name", "")
        if event.get("cat") == "fault" and name.startswith("link "):  # "link A-B down" / "link A-B up"
            timeline["link_changes"].append((event["ts"] * 1e-6, name))
            continue
        if event.get("pid") != 1 or name not in ("compute", "wait", "send", "lost"):
            continue
        start = event["ts"] * 1e-6
        entry = (start, event.get("dur", 0.0) * 1e-6)
        timeline[event["name"]].setdefault(event["tid"], []).append(entry)
    return timeline


def draw_timeline(timeline, title, dpi):
    """A Gantt chart: one row per agent, compute and wait as bars, sends as ticks; under
    faults, lost messages as crosses on their sender's row and link changes as vertical lines."""
    import_matplotlib()
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    agents = sorted(set(timeline["compute"]) | set(timeline["wait"]) | set(timeline["send"]))
    shown = agents[:TIMELINE_MAX_AGENTS]
    height = max(2.4, 0.32 * len(shown) + 1.2)
    figure, ax = plt.subplots(figsize=(9.0, height), dpi=dpi, layout="constrained")
    colors = {"compute": "C0", "wait": "C3"}
    for row, agent in enumerate(shown):
        for kind in ("compute", "wait"):
            bars = [(start, duration) for start, duration in timeline[kind].get(agent, []) if duration > 0]
            if bars:
                ax.broken_barh(bars, (row - 0.38, 0.76), facecolors=colors[kind], linewidth=0)
        sends = sorted({start for start, _ in timeline["send"].get(agent, [])})
        if sends:
            ax.plot(sends, [row + 0.42] * len(sends), linestyle="none", marker="|", markersize=4,
                    color="black", markeredgewidth=0.8)
        lost = sorted({start for start, _ in timeline["lost"].get(agent, [])})
        if lost:
            ax.plot(lost, [row] * len(lost), linestyle="none", marker="x", markersize=5, color="black",
                    markeredgewidth=1.0)
    for time, name in timeline["link_changes"]:
        ax.axvline(time, color="0.35", linewidth=0.8, linestyle="--" if name.endswith("down") else ":")
    ax.set_yticks(range(len(shown)), [f"agent {a}" for a in shown])
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlabel("simulated time (s)")
    ax.set_xlim(left=0)
    ax.grid(True, axis="x", alpha=0.3)
    handles = [Patch(color=colors["compute"], label="compute"), Patch(color=colors["wait"], label="wait"),
               Line2D([], [], color="black", marker="|", linestyle="none", label="send")]
    if any(timeline["lost"].values()):
        handles.append(Line2D([], [], color="black", marker="x", linestyle="none", label="lost"))
    if timeline["link_changes"]:
        handles.append(Line2D([], [], color="0.35", linestyle="--", label="link down"))
        handles.append(Line2D([], [], color="0.35", linestyle=":", label="link up"))
    # Beside the title while it fits there; with the fault entries, below the axis.
    beside_title = len(handles) <= 3
    ax.legend(handles=handles, loc="lower right" if beside_title else "upper center",
              bbox_to_anchor=(1.0, 1.0) if beside_title else (0.5, -0.14), ncol=len(handles), fontsize="small",
              frameon=False)
    suffix = f" (first {len(shown)} of {len(agents)} agents)" if len(shown) < len(agents) else ""
    ax.set_title((title or "agents over simulated time") + suffix, loc="left")
    return figure


def import_matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise MissingMatplotlib(f"matplotlib is not installed for {sys.executable} "
                                "(Debian: apt-get install python3-matplotlib; or set CDSIM_PYTHON)") from None
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "cdsim"  # fixed element ids: reruns give identical SVG


def output_format(out):
    """The matplotlib format for the output file's extension; BadInput if it cannot be written."""
    extension = os.path.splitext(out)[1].lower()
    if extension not in FORMATS:
        raise BadInput(f"{out}: unknown output format '{extension}', expected a name ending in "
                       f"{', '.join(FORMATS)}")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise BadInput(f"{out}: output folder {folder} does not exist")
    return FORMATS[extension]


def write_atomically(figure, out, fmt):
    """Saves into a temporary file next to `out`, then renames it: no half-written figure."""
    metadata = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
    folder = os.path.dirname(os.path.abspath(out))
    handle, temporary = tempfile.mkstemp(prefix=".plot-", suffix="." + fmt, dir=folder)
    try:
        with os.fdopen(handle, "wb") as f:
            figure.savefig(f, format=fmt, metadata=metadata)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, out)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="plot.py", description="Plot cdsim run directories (see docs/plots.md).")
    parser.add_argument("runs", nargs="*", metavar="RUN_DIR", help="run directories written by 'cdsim run'")
    parser.add_argument("--series", help="draw the precomputed lines and bands of this JSON file instead")
    parser.add_argument("--xscale", choices=("linear", "log"), default="linear", help="x axis scale (default linear)")
    parser.add_argument("--width", type=float, help="figure width in inches (default 5 per panel column)")
    parser.add_argument("--height", type=float, help="figure height in inches (default 3.6 per panel row)")
    parser.add_argument("--out", "-o", help="output file, .png, .svg or .pdf (default: RUN_DIR/plot.png of the first run)")
    parser.add_argument("--x", choices=sorted(X_AXES), dest="x_axis",
                        help="one panel against this axis (default: all panels)")
    parser.add_argument("--metric", help="metrics.csv column to plot (default: test_accuracy, "
                                         "or test_loss when a run has no accuracy)")
    parser.add_argument("--labels", nargs="+", metavar="LABEL",
                        help="one legend label per run (default: scenario / algorithm / topology)")
    parser.add_argument("--yscale", choices=YSCALES, default="auto",
                        help="y axis scale (default auto: log for losses and consensus distance)")
    parser.add_argument("--title", help="figure title")
    parser.add_argument("--dpi", type=int, default=100, help="PNG resolution, dots per inch (default 100)")
    parser.add_argument("--timeline", metavar="CHROME_JSON",
                        help="draw a Gantt chart of the agents (compute, wait, sends) from this "
                             "'cdsim trace --chrome' file instead (default out: RUN_DIR/timeline.png)")
    parser.add_argument("--dump-data", action="store_true",
                        help="print the series that would be drawn as JSON and write no figure")
    arguments = parser.parse_args(argv)
    if arguments.dpi <= 0:
        parser.error(f"--dpi: {arguments.dpi} is not a positive whole number")
    for name in ("width", "height"):
        value = getattr(arguments, name)
        if value is not None and not 0 < value <= 100:
            parser.error(f"--{name}: {value} inches is not in (0, 100]")
    if not arguments.runs and arguments.series is None:
        parser.error("give run directories or --series FILE")
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    try:
        if arguments.timeline:
            out = arguments.out or os.path.join(arguments.runs[0], "timeline.png")
            fmt = output_format(out)
            title = arguments.title or f"{read_label(arguments.runs[0])}: agents over simulated time"
            write_atomically(draw_timeline(read_timeline(arguments.timeline), title, arguments.dpi), out, fmt)
            print(f"timeline   {out}")
            return 0
        if arguments.series is not None:
            data = read_series(arguments.series, arguments.yscale)
            metric = data[0]["y"]
        else:
            runs = load_runs(arguments.runs, arguments.labels)
            metric = choose_metric(runs, arguments.metric)
            data = build_data(runs, panels_for(arguments.x_axis, metric), arguments.yscale)
        if arguments.dump_data:
            json.dump({"metric": metric, "panels": data}, sys.stdout, indent=1)
            sys.stdout.write("\n")
            return 0
        if arguments.out is None and not arguments.runs:
            raise BadInput("--series needs --out")
        out = arguments.out or os.path.join(arguments.runs[0], "plot.png")
        fmt = output_format(out)
        figure = draw(data, arguments.title, arguments.dpi, arguments.width, arguments.height, arguments.xscale)
        write_atomically(figure, out, fmt)
        print(f"plot       {out}")
        return 0
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingMatplotlib as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
