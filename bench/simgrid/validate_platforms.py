#!/usr/bin/env python3
"""cdsim's shared-link platforms against SimGrid 3.32 and an exact reference.

For a star (one switch) and a two-level tree (leaf switches under one core switch, core
links oversubscribed), a seeded set of concurrent flows with heterogeneous start times runs
  * in cdsim: sim/platform.h's generator into a SharedLinkNetwork (bench/simgrid/cdsim_platform_flows.cpp),
  * in SimGrid 3.32, CM02 made ideal as bench/simgrid/compare.sh does (simgrid_platform_flows.cpp),
  * in an exact reference: the same max-min fluid model in rational arithmetic (below).
It prints every flow's completion (arrival) time from the three and the largest relative
differences, and exits 1 if cdsim is off SimGrid or the exact answer by more than 1e-9.

Where the latency goes: cdsim sends the bits first and adds the route's latency at the end;
SimGrid's CM02 waits the latency first, then shares bandwidth. With the same total latency
on every route the two timelines are the same one shifted by it, so every arrival agrees;
the platforms here have that property (host links of equal latency, core links of zero
latency). With unequal route latencies the models differ by design, not by error.

Usage: bench/simgrid/validate_platforms.py [--flows N] [--seed S] [--build DIR]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def routes(case):
    """Directed resources each flow crosses: ('up', h), ('down', h), ('core_up', l), ('core_down', l)."""
    def route(a, b):
        path = [("up", a)]
        if case["kind"] == "tree" and a // case["k"] != b // case["k"]:
            path += [("core_up", a // case["k"]), ("core_down", b // case["k"])]
        return path + [("down", b)]
    return [route(f[0], f[1]) for f in case["flows"]]


def capacity_bits_per_ns(case, resource):
    bps = case["core_bps"] if resource[0].startswith("core") else case["host_bps"]
    return Fraction(bps, 10**9)


def latency_ns(case, path):
    return sum(case["core_latency_ns"] if r[0].startswith("core") else case["host_latency_ns"] for r in path)


def max_min(active, paths, case):
    """Progressive filling over the active flows, exactly: {flow: rate in bits/ns}."""
    rates, residual = {}, {}
    users = {}
    for i in active:
        for r in paths[i]:
            users.setdefault(r, set()).add(i)
            residual[r] = capacity_bits_per_ns(case, r)
    unfrozen = set(active)
    while unfrozen:
        share = min(residual[r] / len(users[r] & unfrozen) for r in users if users[r] & unfrozen)
        frozen = set()
        for r in users:
            live = users[r] & unfrozen
            if live and residual[r] / len(live) == share:
                frozen |= live
        for i in frozen:
            rates[i] = share
            for r in paths[i]:
                residual[r] -= share
        unfrozen -= frozen
    return rates


def exact_arrivals(case):
    """Arrival time (ns, a Fraction) of each flow under the fluid max-min model."""
    flows, paths = case["flows"], routes(case)
    remaining = {i: Fraction(8 * f[2]) for i, f in enumerate(flows)}
    pending = sorted(range(len(flows)), key=lambda i: (flows[i][3], i))
    active, arrival, now = [], {}, Fraction(0)
    while pending or active:
        rates = max_min(active, paths, case)
        next_start = Fraction(flows[pending[0]][3]) if pending else None
        next_end = min((now + remaining[i] / rates[i] for i in active), default=None)
        t = min(x for x in (next_start, next_end) if x is not None)
        for i in active:
            remaining[i] -= rates[i] * (t - now)
        now = t
        for i in [i for i in active if remaining[i] == 0]:
            active.remove(i)
            arrival[i] = now + latency_ns(case, paths[i])
        while pending and flows[pending[0]][3] == now:
            active.append(pending.pop(0))
    return [arrival[i] for i in range(len(flows))]


def case_text(case):
    if case["kind"] == "star":
        head = f"star {case['hosts']} {case['host_bps']} {case['host_latency_ns']}"
    else:
        head = (f"tree {case['hosts']} {case['k']} {case['host_bps']} {case['host_latency_ns']} "
                f"{case['core_bps']} {case['core_latency_ns']}")
    return head + "\n" + "".join(f"flow {a} {b} {s} {t}\n" for a, b, s, t in case["flows"])


def run(program, path):
    out = subprocess.run([program, path], check=True, capture_output=True, text=True).stdout
    return [line.split()[2] for line in out.splitlines() if line.startswith("flow ")]


def make_case(kind, hosts, flows, rng):
    case = {"kind": kind, "hosts": hosts, "host_bps": 1_000_000_000, "host_latency_ns": 50_000,
            "k": 4, "core_bps": 2_000_000_000, "core_latency_ns": 0}  # tree: 4 hosts a leaf, oversubscription 2
    case["flows"] = []
    for _ in range(flows):
        a = rng.randrange(hosts)
        b = (a + 1 + rng.randrange(hosts - 1)) % hosts
        size = rng.randrange(100_000_000, 1_500_000_000)  # 0.8 to 12 s alone on a host link
        start = rng.randrange(0, 5_000_000_000)           # heterogeneous starts over 5 s, in ns
        case["flows"].append((a, b, size, start))
    return case


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build", default=os.environ.get("CDSIM_BENCH_BUILD_DIR", os.path.join(ROOT, "build", "bench")))
    args = parser.parse_args()
    cdsim = os.path.join(args.build, "bench", "cdsim_bench_platform_flows")
    simgrid = os.path.join(args.build, "bench", "cdsim_bench_simgrid_platform_flows")
    if not (os.access(cdsim, os.X_OK) and os.access(simgrid, os.X_OK)):
        subprocess.run(["cmake", "-S", ROOT, "-B", args.build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                        "-DCDSIM_BUILD_BENCH=ON"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", args.build, "--target", "cdsim_bench_platform_flows",
                        "cdsim_bench_simgrid_platform_flows", "-j2"], check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(args.seed)
    worst_cdsim_simgrid = worst_cdsim_exact = worst_simgrid_exact = 0.0
    for kind, hosts in (("star", 8), ("tree", 16)):
        case = make_case(kind, hosts, args.flows, rng)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(case_text(case))
        try:
            ours = [int(x) for x in run(cdsim, f.name)]
            theirs = [Fraction(x) * 10**9 for x in run(simgrid, f.name)]  # seconds -> ns, exactly as printed
        finally:
            os.unlink(f.name)
        exact = exact_arrivals(case)
        print(f"{kind}: {hosts} hosts, {len(case['flows'])} flows "
              + ("(4 hosts a leaf, core links 2 Gbit/s: oversubscription 2)" if kind == "tree" else "(one switch)")
              + ", host links 1 Gbit/s, 50 us")
        print(f"{'flow':>4} {'from':>4} {'to':>3} {'bytes':>11} {'start_ns':>11} {'cdsim_ns':>13} "
              f"{'simgrid_ns':>17} {'exact_ns':>17} {'cdsim-exact':>11} {'simgrid-exact':>13}")
        for i, (a, b, size, start) in enumerate(case["flows"]):
            print(f"{i:>4} {a:>4} {b:>3} {size:>11} {start:>11} {ours[i]:>13} {float(theirs[i]):>17.3f} "
                  f"{float(exact[i]):>17.3f} {float(ours[i] - exact[i]):>11.3f} {float(theirs[i] - exact[i]):>13.3f}")
        rel = lambda x, y: float(abs(Fraction(x) - Fraction(y)) / Fraction(y))  # noqa: E731
        cs = max(rel(o, t) for o, t in zip(ours, theirs))
        ce = max(rel(o, e) for o, e in zip(ours, exact))
        se = max(rel(t, e) for t, e in zip(theirs, exact))
        print(f"{kind}: max relative difference cdsim-simgrid {cs:.3g}, cdsim-exact {ce:.3g}, simgrid-exact {se:.3g}; "
              f"max |cdsim-exact| {max(float(abs(o - e)) for o, e in zip(ours, exact)):.3f} ns, "
              f"max |simgrid-exact| {max(float(abs(t - e)) for t, e in zip(theirs, exact)):.3f} ns\n")
        worst_cdsim_simgrid = max(worst_cdsim_simgrid, cs)
        worst_cdsim_exact = max(worst_cdsim_exact, ce)
        worst_simgrid_exact = max(worst_simgrid_exact, se)
    print(f"overall: cdsim-simgrid {worst_cdsim_simgrid:.3g}, cdsim-exact {worst_cdsim_exact:.3g}, "
          f"simgrid-exact {worst_simgrid_exact:.3g} (relative; target 1e-9)")
    return 0 if worst_cdsim_exact <= 1e-9 and worst_cdsim_simgrid <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
