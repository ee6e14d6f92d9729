#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize the `bench ...` lines of the bench scenario (tests/vm/scenarios/
bench.sh): the table of Documentation/performance.rst, with ratios, and a
gnuplot PNG of per-hit cost by mechanism.

    tests/bench/report.py LOG [--png OUT.png] [--title TEXT]

LOG is run.sh --show output or the guest's serial log; lines may carry a
"[release] " prefix. Prints the table on stdout.
"""
import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

MECHS = ["fbt", "fbt-norec", "floor", "kprobe"]
LABEL = {
    "fbt": "fbt (full)",
    "fbt-norec": "fbt record=0",
    "floor": "bare notifier",
    "kprobe": "kprobe",
    "kprobe-ftrace": "kprobe, ftrace site",
}


def parse(path):
    recs = {"hit": [], "arm": [], "wl": [], "mem": [], "kprobe": []}
    line_re = re.compile(r"^(?:\[[^\]]*\] )?bench (hit|arm|wl|mem|kprobe) (.*)$")
    with open(path, errors="replace") as f:
        for line in f:
            m = line_re.match(line.rstrip("\n"))
            if not m:
                continue
            kv = dict(w.split("=", 1) for w in m.group(2).split() if "=" in w)
            need = {"hit": ["target", "mech", "calls", "ns", "base_ns"],
                    "arm": ["ftrace_off_ms"], "wl": ["ftrace_ms"],
                    "mem": ["module_size"],
                    "kprobe": ["target", "hits", "trapped"]}[m.group(1)]
            if all(k in kv for k in need):   # a line cut short is skipped
                recs[m.group(1)].append(kv)
    return recs


def med(v):
    return statistics.median(v) if v else float("nan")


def spread(v):
    return (min(v), max(v)) if v else (float("nan"), float("nan"))


def fnum(x, nd=0):
    if x != x:
        return "n/a"
    return f"{x:.{nd}f}"


def per_hit(recs):
    """{(target, mech): [per-hit ns over the unprobed call, per rep]}"""
    out = {}
    for r in recs["hit"]:
        calls = int(r["calls"])
        v = (int(r["ns"]) - int(r["base_ns"])) / calls
        out.setdefault((r["target"], r["mech"]), []).append(v)
    return out


def kpath(recs, target):
    """How the kernel ran the kprobe: through int3 or jump-optimized."""
    v = [int(r["trapped"]) / int(r["hits"]) for r in recs["kprobe"]
         if r["target"] == target and int(r["hits"])]
    if not v:
        return "?"
    f = med(v)
    return "int3" if f > 0.99 else "optimized" if f < 0.01 else f"{100 * f:.0f}% int3"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--png")
    ap.add_argument("--title", default="fbt per-hit cost")
    a = ap.parse_args()
    recs = parse(a.log)
    if not recs["hit"]:
        print("report: no `bench hit` lines in " + a.log, file=sys.stderr)
        return 1
    ph = per_hit(recs)
    targets = []
    for r in recs["hit"]:
        if r["target"] not in targets and r["target"] != "ftrace":
            targets.append(r["target"])
    reps = max(len(v) for v in ph.values())

    print(f"Per hit, ns over the unprobed call: median [min-max] of {reps} reps")
    hdr = f"{'target':8}" + "".join(f"{LABEL[m]:>22}" for m in MECHS)
    hdr += f"{'fbt/kprobe':>12}{'rec share':>11}{'floor/kp':>10}  kprobe path"
    print(hdr)
    allr = {"ratio": [], "share": [], "floor": []}
    for t in targets:
        row = f"{t:8}"
        for m in MECHS:
            v = ph.get((t, m), [])
            lo, hi = spread(v)
            row += f"{fnum(med(v)) + ' [' + fnum(lo) + '-' + fnum(hi) + ']':>22}"
        f, n, fl, k = (med(ph.get((t, m), [])) for m in MECHS)
        ratio, share, flr = f / k, (f - n) / f, fl / k
        allr["ratio"].append(ratio)
        allr["share"].append(share)
        allr["floor"].append(flr)
        row += f"{ratio:>12.2f}{100 * share:>10.0f}%{flr:>10.2f}  {kpath(recs, t)}"
        print(row)
    v = ph.get(("ftrace", "kprobe-ftrace"), [])
    if v:
        lo, hi = spread(v)
        print(f"{'ftrace':8}{'kprobe on the ftrace site of a C function: ' + fnum(med(v)) + ' [' + fnum(lo) + '-' + fnum(hi) + ']':>60}")
    print(f"median over targets: fbt/kprobe {med(allr['ratio']):.2f}, "
          f"recorder share {100 * med(allr['share']):.0f}%, "
          f"floor/kprobe {med(allr['floor']):.2f}")

    goals = [("full fbt hit / kprobe at the same site", "<= 1.0x",
              f"{med(allr['ratio']):.2f}x", med(allr["ratio"]) <= 1.0)]
    goals.append(("recorder share of a full hit", "<= 5%",
                  f"{100 * med(allr['share']):.0f}%", med(allr["share"]) <= 0.05))

    if recs["arm"]:
        g = lambda k: [float(r[k]) for r in recs["arm"]]
        print()
        print(f"Arming every safe entry probe ({recs['arm'][0]['probes']} probes) vs the "
              f"function tracer on {recs['arm'][0]['ftrace_functions']} functions, "
              f"ms, median [min-max] of {len(recs['arm'])} reps")
        for k in ["fbt_arm_ms", "fbt_arm_wall_ms", "fbt_disarm_ms",
                  "fbt_disarm_wall_ms", "ftrace_on_ms", "ftrace_off_ms"]:
            lo, hi = spread(g(k))
            print(f"  {k:20} {med(g(k)):9.1f} [{lo:.1f}-{hi:.1f}]")
        ra = med(g("fbt_arm_wall_ms")) / med(g("ftrace_on_ms"))
        rd = med(g("fbt_disarm_wall_ms")) / med(g("ftrace_off_ms"))
        print(f"  arm/ftrace-on (wall) {ra:.3f}; internal "
              f"{med(g('fbt_arm_ms')) / med(g('ftrace_on_ms')):.3f}; "
              f"disarm/ftrace-off (wall) {rd:.3f}")
        goals.append(("arming every entry probe / ftrace enable-all", "<= 0.5x",
                      f"{ra:.3f}x", ra <= 0.5))

    if recs["mem"]:
        m = recs["mem"][-1]
        probes, b = int(m["probes"]), int(m["bytes"])
        ring, cpus = int(m["ring_bytes"]), int(m["cpus"])
        acct = b + ring * cpus
        kern = int(m["vmallocinfo_fbt"]) + 1024 * int(m["d_slab_kb"])
        print()
        print(f"Memory: {probes} probes, {b} bytes of probe tables = "
              f"{b / probes:.0f} B/probe (struct fbt_probe {m['probe_struct']} B); "
              f"ring {ring} B per CPU x {cpus}")
        print(f"  kernel's view: vmallocinfo [fbt] {int(m['vmallocinfo_fbt'])} B, "
              f"unreclaimable slab +{m['d_slab_kb']} kB, vmalloc +{m['d_vmalloc_kb']} kB, "
              f"MemFree -{m['d_memfree_kb']} kB (module text {m['module_size']} B)")
        print(f"  fbt's accounting {acct} B vs vmallocinfo+slab {kern} B "
              f"({acct / kern:.2f})")
        goals.append(("memory per probe", "<= 32 B", f"{b / probes:.0f} B",
                      b / probes <= 32))

    if recs["wl"]:
        g = lambda k: [float(r[k]) for r in recs["wl"]]
        none, fbt, ftr = med(g("none_ms")), med(g("fbt_ms")), med(g("ftrace_ms"))
        print()
        print(f"Workload ({recs['wl'][0]['loops']} loops of fork/exec, dd, cat, ls), "
              f"ms, median of {len(recs['wl'])} reps")
        print(f"  nothing {none:.0f}; every entry probe armed {fbt:.0f} "
              f"({fbt / none:.2f}x, {med(g('fbt_hits')):.0f} hits); "
              f"function tracer on all {ftr:.0f} ({ftr / none:.2f}x)")

    print()
    print("Goals")
    for what, want, got, met in goals:
        print(f"  {what:48} {want:>8} {got:>10}  {'met' if met else 'NOT met'}")

    if a.png:
        plot(ph, targets, a.png, a.title)
    return 0


def plot(ph, targets, png, title):
    gp = shutil.which("gnuplot")
    if not gp:
        print("report: gnuplot not found, no plot", file=sys.stderr)
        return
    terms = subprocess.run([gp, "-e", "set terminal"], capture_output=True,
                           text=True).stdout + subprocess.run(
        [gp, "-e", "set terminal"], capture_output=True, text=True).stderr
    term = "pngcairo size 1000,560" if "pngcairo" in terms else "png size 1000,560"
    mechs = MECHS + ["kprobe-ftrace"]
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as d:
        for t in targets + ["ftrace"]:
            cols = [t]
            for m in mechs:
                v = ph.get((t, m), [])
                lo, hi = spread(v)
                cols += [fnum(med(v), 1), fnum(lo, 1), fnum(hi, 1)]
            d.write(" ".join(c if c != "n/a" else "NaN" for c in cols) + "\n")
        dat = d.name
    using = ", ".join(
        f"'{dat}' using {2 + 3 * i}:{3 + 3 * i}:{4 + 3 * i}:xtic(1) title '{LABEL[m]}'"
        for i, m in enumerate(mechs))
    script = f"""
set terminal {term}
set output '{png}'
set title '{title}'
set ylabel 'ns per hit over the unprobed call (median, min-max)'
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.7 border -1
set key top left
set yrange [0:*]
set grid ytics
set datafile missing 'NaN'
plot {using}
"""
    subprocess.run([gp], input=script, text=True, check=True)
    print(f"plot: {png}")


if __name__ == "__main__":
    sys.exit(main())
