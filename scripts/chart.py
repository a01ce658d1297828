#!/usr/bin/env python3
"""Collects the benchmark results and draws the chart.

Reads criterion's estimates (``$CARGO_TARGET_DIR/criterion``, default ``target/criterion``)
and ``benches/results/{callgrind,memory,loadtest}.json``; writes the criterion medians to
``benches/results/criterion.json`` (so the chart can be redrawn without the target
directory), draws ``docs/benchmarks.svg`` (per-request cost per scenario for bare axum,
ours and tower-sessions: time and instructions) and prints the Markdown table that
BENCHMARKS.md carries. Standard library only.

    python3 scripts/chart.py [--no-criterion]
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benches" / "results"
LIBRARIES = ["bare", "ours", "tower-sessions"]
COLORS = {"bare": "#9e9e9e", "ours": "#2e7d32", "tower-sessions": "#c62828"}
SCENARIOS = {
    "1-read-write": "1. read + write counter",
    "2-read-only": "2. read only",
    "3-create": "3. new session",
    "4-untouched": "4. layer, session unused",
    "5-large-state": "5. ~2 KB state, 1 field",
}
SHORT = {
    "1-read-write": "1 read+write",
    "2-read-only": "2 read",
    "3-create": "3 new",
    "4-untouched": "4 unused",
    "5-large-state": "5 ~2 KB",
}
TARGETS = {  # our overhead / tower-sessions' overhead, or other ratios
    "1-read-write": ("overhead", 0.2),
    "2-read-only": ("overhead", 0.2),
    "5-large-state": ("overhead", 0.2),
    "3-create": ("time", 1 / 3),
    "4-untouched": ("vs-bare", 1.05),
}


def load_json(name):
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def collect_criterion():
    """Median ns per request of every criterion benchmark, by group and id."""
    base = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "criterion"
    medians = {}
    for estimates in base.glob("**/new/estimates.json"):
        meta = json.loads((estimates.parent / "benchmark.json").read_text())
        median = json.loads(estimates.read_text())["median"]["point_estimate"]
        medians.setdefault(meta["group_id"], {})[meta["function_id"]] = median
    return medians


def fmt_ns(ns):
    return f"{ns / 1000:.2f} µs"


def table(times, instr, memory, load, redis=None):
    out = []
    out.append("| scenario | bare axum | ours | tower-sessions | ours' overhead / tower-sessions' | target | holds |")
    out.append("|---|---|---|---|---|---|---|")
    for key, label in SCENARIOS.items():
        t = times.get(key, {})
        i = (instr or {}).get("instructions_per_request", {}).get(key[0], {})
        cells = []
        for lib in LIBRARIES:
            parts = []
            if lib in t:
                parts.append(fmt_ns(t[lib]))
            if lib in i:
                parts.append(f"{i[lib] / 1000:.1f}k instr")
            cells.append(", ".join(parts) or "-")
        kind, target = TARGETS[key]
        ratios, holds = [], []
        if kind == "overhead":
            for name, row in (("time", t), ("instr", i)):
                if all(lib in row for lib in LIBRARIES):
                    ours = row["ours"] - row["bare"]
                    tower = row["tower-sessions"] - row["bare"]
                    ratios.append(f"{ours / tower:.2f} ({name})")
                    holds.append(ours / tower <= target)
            goal = "≤ 0.20"
        elif kind == "time":
            for name, row in (("time", t), ("instr", i)):
                if "ours" in row and "tower-sessions" in row:
                    ratios.append(f"{row['ours'] / row['tower-sessions']:.2f} of tower ({name})")
                    if name == "time":
                        holds.append(row["ours"] / row["tower-sessions"] <= target)
            goal = "time ≤ 0.33 of tower-sessions'"
        else:
            for name, row in (("time", t), ("instr", i)):
                if "ours" in row and "bare" in row:
                    ratios.append(f"{row['ours'] / row['bare']:.3f} of bare ({name})")
                    holds.append(row["ours"] / row["bare"] <= target)
            goal = "≤ 1.05 × bare"
        verdict = "yes" if holds and all(holds) else ("partly" if any(holds) else "no")
        out.append(f"| {label} | {cells[0]} | {cells[1]} | {cells[2]} | {'; '.join(ratios)} | {goal} | {verdict} |")
    live = times.get("6-live-sessions", {})
    if live:
        out.append("")
        out.append("| scenario 6: read + write with N live sessions | 1,000 | 100,000 | 1,000,000 | 1M / 1k | target | holds |")
        out.append("|---|---|---|---|---|---|---|")
        for lib in ["ours", "tower-sessions"]:
            row = [live.get(f"{lib}/{n}") for n in (1000, 100000, 1000000)]
            if None in row:
                continue
            ratio = row[2] / row[0]
            holds = "yes" if ratio <= 1.3 else "no"
            out.append(f"| {lib} | {fmt_ns(row[0])} | {fmt_ns(row[1])} | {fmt_ns(row[2])} | {ratio:.2f} | ≤ 1.3 | {holds if lib == 'ours' else '-'} |")
    if memory:
        out.append("")
        out.append("| memory, 1,000,000 small sessions | bytes per session (RSS growth) | target |")
        out.append("|---|---|---|")
        for row in memory:
            target = "≤ 300" if row["library"] == "ours" else ""
            out.append(f"| {row['library']} | {row['bytes_per_session']:.0f} | {target} |")
    if load:
        m = load["median"]
        out.append("")
        out.append("| loopback, GET /counter | req/s | server CPU per request |")
        out.append("|---|---|---|")
        for lib in LIBRARIES:
            out.append(f"| {lib} | {m[lib]['requests_per_second']:.0f} | {m[lib]['server_cpu_us_per_request']:.2f} µs |")
    if redis:
        m = redis["median"]
        out.append("")
        out.append("| loopback on Redis, GET /counter | req/s | server CPU per request | redis-server CPU per request |")
        out.append("|---|---|---|---|")
        for lib, row in m.items():
            out.append(f"| {lib} | {row['requests_per_second']:.0f} | {row['server_cpu_us_per_request']:.2f} µs | {row.get('redis_cpu_us_per_request', 0):.2f} µs |")
    return "\n".join(out)


def bar_panel(x0, y0, width, height, title, unit, rows):
    """A grouped bar chart: rows = [(label, {lib: value})]."""
    parts = [f'<text x="{x0 + width / 2}" y="{y0 - 12}" text-anchor="middle" font-size="15" font-weight="bold">{title}</text>']
    peak = max((v for _, vals in rows for v in vals.values()), default=1) * 1.12
    parts.append(f'<line x1="{x0}" y1="{y0 + height}" x2="{x0 + width}" y2="{y0 + height}" stroke="#333"/>')
    for step in range(5):
        value = peak * step / 4
        y = y0 + height - height * step / 4
        parts.append(f'<line x1="{x0}" y1="{y}" x2="{x0 + width}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="{x0 - 6}" y="{y + 4}" text-anchor="end" font-size="11">{value:.1f}</text>')
    parts.append(f'<text x="{x0 - 40}" y="{y0 + height / 2}" font-size="12" transform="rotate(-90 {x0 - 40} {y0 + height / 2})" text-anchor="middle">{unit}</text>')
    group = width / max(len(rows), 1)
    bar = group * 0.8 / len(LIBRARIES)
    for g, (label, vals) in enumerate(rows):
        gx = x0 + g * group + group * 0.1
        for b, lib in enumerate(LIBRARIES):
            if lib not in vals:
                continue
            h = height * vals[lib] / peak
            x = gx + b * bar
            parts.append(f'<rect x="{x:.1f}" y="{y0 + height - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" fill="{COLORS[lib]}"><title>{lib}: {vals[lib]:.2f} {unit}</title></rect>')
            parts.append(f'<text x="{x + bar / 2 - 1:.1f}" y="{y0 + height - h - 3:.1f}" text-anchor="middle" font-size="9">{vals[lib]:.1f}</text>')
        parts.append(f'<text x="{gx + group * 0.4:.1f}" y="{y0 + height + 16}" text-anchor="middle" font-size="11">{label}</text>')
    return parts


def chart(times, instr):
    panels = []
    time_rows = [(SHORT[key], {lib: ns / 1000 for lib, ns in times.get(key, {}).items()})
                 for key in SCENARIOS if times.get(key)]
    instr_rows = []
    if instr:
        for key in SCENARIOS:
            row = instr["instructions_per_request"].get(key[0])
            if row:
                instr_rows.append((SHORT[key], {lib: v / 1000 for lib, v in row.items() if lib in LIBRARIES}))
    width, height = 1000, 420
    if time_rows:
        panels += bar_panel(70, 60, 400, 280, "Time per request (criterion median)", "µs", time_rows)
    if instr_rows:
        panels += bar_panel(570, 60, 400, 280, "Instructions per request (callgrind)", "thousand instructions", instr_rows)
    legend = []
    for i, lib in enumerate(LIBRARIES):
        x = 330 + i * 130
        legend.append(f'<rect x="{x}" y="{height - 40}" width="14" height="14" fill="{COLORS[lib]}"/>')
        legend.append(f'<text x="{x + 20}" y="{height - 28}" font-size="13">{lib if lib != "bare" else "bare axum"}</text>')
    body = "\n".join(panels + legend)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif" viewBox="0 0 {width} {height}">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')


def main():
    snapshot = RESULTS / "criterion.json"
    if "--no-criterion" in sys.argv or not (Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "criterion").exists():
        times = json.loads(snapshot.read_text()) if snapshot.exists() else {}
    else:
        times = collect_criterion()
        snapshot.write_text(json.dumps(times, indent=2, sort_keys=True) + "\n")
    instr = load_json("callgrind.json")
    memory = load_json("memory.json")
    load = load_json("loadtest.json")
    redis = load_json("loadtest-redis.json")
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.svg").write_text(chart(times, instr))
    print(table(times, instr, memory, load, redis))


if __name__ == "__main__":
    main()
