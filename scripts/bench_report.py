#!/usr/bin/env python3
"""Turns the raw output of scripts/bench.sh into the README's Performance table.

Every figure is read from the raw output of the shared harness scripts
(handshake.sh, plan.sh, rss.sh, size.sh); this script only picks them out,
takes ratios against the Go-built peers and checks them against the targets.
"""

import re
import sys
from statistics import median

NULL, WORKATO, CAMS = "terraform-provider-null_v2.1.2_x4", "terraform-provider-workato_v0.16.0", "terraform-provider-cams"
FLOOR_40_READS_S = 7.0  # 40 calls, 5 per sliding second: the last 5 go out at t = 7 s
LARGE_BYTES = 20 * 1024 * 1024


def parse(text):
    handshake, plans, rss, size, paced_drops = {}, {}, {}, {}, []
    section, current = "", None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:]
            continue
        m = re.match(r"# (\S+): protocol=", line)
        if m:
            current = handshake.setdefault(m.group(1), {})
            continue
        m = re.match(r"(\w+)_ms\s+([\d.]+)\s+\[([\d.]+)-([\d.]+)\]", line)
        if m and current is not None and section == "start-up":
            current[m.group(1)] = tuple(float(x) for x in m.group(2, 3, 4))
            continue
        m = re.match(r"plan\.sh (\S+) \S+ (\w+) k=(\d+) wall median ([\d.]+) ms \[([\d.]+)-([\d.]+)\]", line)
        if m:
            key = (m.group(1), m.group(2), int(m.group(3)))
            figure = tuple(float(x) for x in m.group(4, 5, 6))
            if section.startswith("paced"):
                plans.setdefault(("paced",), []).append(figure[0])
            else:
                plans[key] = figure
            continue
        m = re.match(r"plan\.sh \S+ \S+ plan k=40 rc=0 wall_ms=([\d.]+)", line)
        if m and section.startswith("paced"):
            plans.setdefault(("paced",), []).append(float(m.group(1)))
            continue
        m = re.match(r"rss\.sh (.*) : provider peak median (\d+) KiB .*\[(\d+)-(\d+) KiB\]", line)
        if m:
            who = "large" if section.startswith("large") else ("null" if "-p null" in m.group(1) else "cams")
            rss[who] = tuple(int(x) / 1024 for x in m.group(2, 3, 4))
            continue
        m = re.match(r"(\S+)\s+(\d+)\s+[\d.]+\s+(\d+)\s", line)
        if m and section == "size":
            size[m.group(1)] = (int(m.group(2)), int(m.group(3)))
            continue
        m = re.match(r"paced run \d+ dropped (\d+)", line)
        if m:
            paced_drops.append(int(m.group(1)))
    return handshake, plans, rss, size, paced_drops


def fmt(fig, unit="", digits=1):
    if fig is None:
        return "–"
    if isinstance(fig, tuple):
        med, lo, hi = fig
        return f"{med:.{digits}f} [{lo:.{digits}f}–{hi:.{digits}f}]{unit}"
    return f"{fig:.{digits}f}{unit}"


def ratio(a, b):
    if a is None or b is None:
        return "–"
    a = a[0] if isinstance(a, tuple) else a
    b = b[0] if isinstance(b, tuple) else b
    return f"{a / b:.2f}×"


def verdict(ok):
    return "yes" if ok else "**no**"


def main():
    text = open(sys.argv[1]).read()
    header = text.splitlines()[0].lstrip("# ")
    hs, plans, rss, size, drops = parse(text)
    c, n, w = hs.get(CAMS, {}), hs.get(NULL, {}), hs.get(WORKATO, {})
    rows = []

    def row(name, cams, null, workato, target, ok, unit="", digits=1):
        rows.append(
            f"| {name} | {fmt(cams, unit, digits)} | {fmt(null, unit, digits)} | {fmt(workato, unit, digits)} "
            f"| {ratio(cams, null)} | {ratio(cams, workato)} | {target} | {ok} |"
        )

    hs_c = c.get("handshake")
    row("exec → handshake line (mTLS), ms", hs_c, n.get("handshake"), w.get("handshake"), "≤ 3 ms",
        verdict(hs_c is not None and hs_c[0] <= 3), digits=2)
    total_c = c.get("total")
    row("start-up: handshake, mTLS connect, schema, Shutdown, ms", total_c, n.get("total"), w.get("total"),
        "≤ 10 ms", verdict(total_c is not None and total_c[0] <= 10), digits=2)
    for k in (1, 50):
        pc, pn = plans.get(("cams", "plan", k)), plans.get(("null", "plan", k))
        target, ok = "–", "–"
        if k == 50:
            target = "≤ 0.9× null"
            ok = verdict(pc is not None and pn is not None and pc[0] <= 0.9 * pn[0])
        row(f"`terraform plan`, {k} data source{'s' if k > 1 else ''}, ms", pc, pn, None, target, ok)
    row("`terraform providers schema -json`, ms", plans.get(("cams", "schema", 1)),
        plans.get(("null", "schema", 1)), plans.get(("workato", "schema", 1)), "–", "–")
    rc = rss.get("cams")
    row("provider peak RSS, plan with 50 data sources, MiB", rc, rss.get("null"), None, "≤ 8 MiB",
        verdict(rc is not None and rc[0] <= 8))
    sc = size.get(CAMS)
    mib = lambda s: s[0] / 1048576 if s else None  # noqa: E731
    row("binary size (stripped), MiB", mib(sc), mib(size.get(NULL)), mib(size.get(WORKATO)), "≤ 10 MiB",
        verdict(sc is not None and mib(sc) <= 10))
    paced = plans.get(("paced",), [])
    if paced:
        med_s = median(paced) / 1000
        rows.append(
            f"| 40 reads at 5 QPS (`terraform plan`, n={len(paced)}), s | {med_s:.2f} [{min(paced) / 1000:.2f}–"
            f"{max(paced) / 1000:.2f}], {med_s / FLOOR_40_READS_S:.2f}× the 7 s floor, drops {drops} | – | – | – | – "
            f"| ≤ 1.1× floor, ≤ 2 drops | {verdict(med_s <= 1.1 * FLOOR_40_READS_S and max(drops or [0]) <= 2)} |"
        )
    large = rss.get("large")
    if large:
        times = large[0] * 1048576 / LARGE_BYTES
        rows.append(
            f"| provider peak RSS reading 20 MiB of content, MiB | {fmt(large)} ({times:.2f}× the content) | – | – "
            f"| – | – | ≤ 2.5× | {verdict(times <= 2.5)} |"
        )
    print(f"Measured {header}; Terraform 1.0.3. Median [min–max].\n")
    print("| figure | cams (Rust) | null 2.1.2 (Go) | workato 0.16.0 (Go) | cams/null | cams/workato | target | met |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
