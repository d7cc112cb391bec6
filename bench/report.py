#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn gmem-bench's raw.jsonl into results.json, results.md and PNG plots.

    bench/report.py DIR              # DIR/raw.jsonl -> DIR/results.{json,md}, DIR/*.png
    bench/report.py --summary DIR    # the headline numbers, one per line

DIR/host.json (written by bench/run.sh) names the machine and the wall time.
Standard library only; the plots need gnuplot (skipped without it).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

SHIPPED = ["default", "lru", "fifo", "lfu", "clock", "mru", "s3fifo", "sieve", "lirs",
           "hints", "seq", "stride", "tree"]
# Demand-paging evictors, compared with an offline LRU and OPT.
EVICTORS = ["default", "lru", "fifo", "lfu", "clock", "mru", "s3fifo", "sieve", "lirs",
            "hints"]
# Not a policy: ARC computed offline on the same string, told of every use
# (bench/lib/evictors.c), for what an adaptive evictor could close.
OFFLINE_ARC = "ARC offline"
PREFETCHERS = ("seq", "stride", "tree")
RUN_METRICS = ["faults", "to_device", "to_host", "evictions", "pages_evicted",
               "migrated_in", "sim_time_ns", "wall_ns", "pol_prefetched",
               "pol_victims", "pol_filled", "pol_refused", "lat_p50_ns", "lat_p99_ns"]
TRACE_METRICS = ["prefetch_in", "prefetch_unused_evicted", "prefetch_unused_end",
                 "demand_in", "refaults", "mismatches", "events_lost"]


def prefetches(policy):
    return policy.startswith(PREFETCHERS)


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values), "n": len(values)}


def load(d):
    recs = []
    with open(os.path.join(d, "raw.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    host = {}
    try:
        with open(os.path.join(d, "host.json")) as f:
            host = json.load(f)
    except (OSError, ValueError):
        pass
    return recs, host


def aggregate_runs(recs, exp):
    groups = {}
    workloads = {}
    for r in recs:
        if r["exp"] == "workload":
            workloads[(r["workload"], r["size_x"])] = r
        if r["exp"] != exp:
            continue
        groups.setdefault((r["workload"], r["size_x"], r["policy"]), []).append(r)
    rows = []
    for (wl, x, pol), runs in groups.items():
        row = {"workload": wl, "family": runs[0]["family"], "size_x": x,
               "policy": pol, "prefetching": prefetches(pol),
               "reps": len(runs), "pages": runs[0]["pages"],
               "capacity": runs[0]["capacity"], "accesses": runs[0]["accesses"],
               "opt": runs[0]["opt"], "lru_sim": runs[0]["lru_sim"],
               "fifo_sim": runs[0]["fifo_sim"], "arc_sim": runs[0].get("arc_sim"),
               "checksum_ok": all(r["checksum_ok"] for r in runs),
               "errors": sum(r["errors"] for r in runs)}
        for m in RUN_METRICS:
            row[m] = spread([r.get(m) for r in runs])
        untraced = [r["wall_ns"] for r in runs if not r.get("traced")]
        row["wall_ns_untraced"] = spread(untraced)
        traced = [r for r in runs if r.get("traced")]
        if traced:
            for m in TRACE_METRICS:
                row[m] = traced[0].get(m)
        opt = row["opt"]
        row["faults_over_opt"] = row["faults"]["median"] / opt if opt else None
        row["moved_over_opt"] = row["to_device"]["median"] / opt if opt else None
        rows.append(row)
    order = {}
    for r in recs:
        if r["exp"] == "workload":
            order.setdefault((r["workload"], r["size_x"]), len(order))
    rows.sort(key=lambda r: (order.get((r["workload"], r["size_x"]), 1e9),
                             policy_rank(r["policy"])))
    return rows, workloads


_COMBO = [f"{pf}_{ev}" for pf in PREFETCHERS for ev in ("lru", "fifo", "lfu", "clock", "mru")]


def policy_rank(p):
    if p in SHIPPED:
        return SHIPPED.index(p)
    return 100 + (_COMBO.index(p) if p in _COMBO else 999)


def best_rows(rows):
    by = {}
    for r in rows:
        by.setdefault((r["workload"], r["size_x"]), []).append(r)
    out = []
    for (wl, x), rs in by.items():
        opt = rs[0]["opt"]
        med = lambda r, m="faults": r[m]["median"]
        demand = [r for r in rs if not r["prefetching"]]
        dflt = next((r for r in rs if r["policy"] == "default"), None)
        best_d = min(demand, key=med) if demand else None
        best_a = min(rs, key=med)
        best_m = min(rs, key=lambda r: med(r, "to_device"))
        unused = None
        if best_a.get("prefetch_in"):
            unused = best_a["prefetch_unused_evicted"] / best_a["prefetch_in"]
        out.append({
            "workload": wl, "size_x": x, "opt": opt, "lru_sim": rs[0]["lru_sim"],
            "fifo_sim": rs[0]["fifo_sim"], "capacity": rs[0]["capacity"],
            "pages": rs[0]["pages"], "accesses": rs[0]["accesses"],
            "default_faults": med(dflt) if dflt else None,
            "default_over_opt": med(dflt) / opt if dflt and opt else None,
            "best_demand_policy": best_d["policy"] if best_d else None,
            "best_demand_faults": med(best_d) if best_d else None,
            "best_demand_over_opt": med(best_d) / opt if best_d and opt else None,
            "best_policy": best_a["policy"], "best_faults": med(best_a),
            "best_over_opt": med(best_a) / opt if opt else None,
            "best_moved": med(best_a, "to_device"),
            "best_unused_prefetch_share": unused,
            "fewest_moves_policy": best_m["policy"],
            "fewest_moves": med(best_m, "to_device"),
            "fewest_moves_over_opt": med(best_m, "to_device") / opt if opt else None,
        })
    return out


def gap_rows(rows):
    """Per workload and size, each evictor's share of the LRU-to-OPT gap
    it closed, (LRU - policy) / (LRU - OPT), LRU being the offline LRU of
    the same reference string; and its faults against that LRU."""
    by = {}
    for r in rows:
        if r["policy"] in EVICTORS:
            by.setdefault((r["workload"], r["size_x"]), {})[r["policy"]] = r
    out = []
    for (wl, x), pols in by.items():
        r0 = next(iter(pols.values()))
        lru, opt = r0["lru_sim"], r0["opt"]
        if not lru or lru <= opt:
            continue    # nothing to close: LRU is optimal here
        row = {"workload": wl, "size_x": x, "opt": opt, "lru_sim": lru,
               "gap_closed": {}, "over_lru": {}, "over_kernel_lru": {}}
        # The BPF lru learns of uses as every evictor here does.
        klru = pols["lru"]["faults"]["median"] if "lru" in pols else 0
        for pol, r in pols.items():
            f = r["faults"]["median"]
            row["gap_closed"][pol] = (lru - f) / (lru - opt)
            row["over_lru"][pol] = f / lru
            if klru:
                row["over_kernel_lru"][pol] = f / klru
        if r0.get("arc_sim"):
            row["gap_closed"][OFFLINE_ARC] = (lru - r0["arc_sim"]) / (lru - opt)
            row["over_lru"][OFFLINE_ARC] = r0["arc_sim"] / lru
        out.append(row)
    return out


def gap_summary(gaps):
    """Per evictor: mean share of the gap closed (on every row, and on the
    traces'), its worst faults / offline LRU and / the kernel's lru."""
    out = {}
    for pol in EVICTORS + [OFFLINE_ARC]:
        g = [r["gap_closed"][pol] for r in gaps if pol in r["gap_closed"]]
        t = [r["gap_closed"][pol] for r in gaps if pol in r["gap_closed"]
             and r["workload"].startswith("trace:")]
        w = [r["over_lru"][pol] for r in gaps if pol in r["over_lru"]]
        k = [r["over_kernel_lru"][pol] for r in gaps
             if pol in r["over_kernel_lru"]]
        if g:
            out[pol] = {"mean_gap_closed": statistics.mean(g), "n": len(g),
                        "mean_gap_closed_traces": statistics.mean(t) if t else None,
                        "worst_over_lru": max(w),
                        "worst_over_kernel_lru": max(k) if k else None}
    return out


def prefetch_rows(rows):
    """Per workload and size, each shipped prefetcher against the default
    (the same eviction, no prefetch): faults and pages moved to the device
    as multiples of the default's, and whether it stays within issue 18's
    goal (no more faults, at most 1.1x the pages)."""
    by = {}
    for r in rows:
        if r["policy"] in PREFETCHERS or r["policy"] == "default":
            by.setdefault((r["workload"], r["size_x"]), {})[r["policy"]] = r
    out = []
    for (wl, x), pols in by.items():
        d = pols.get("default")
        if not d or not d["faults"]["median"] or not d["to_device"]["median"]:
            continue
        row = {"workload": wl, "size_x": x, "faults": {}, "moved": {}, "ok": {}}
        for pf in PREFETCHERS:
            if pf not in pols:
                continue
            f = pols[pf]["faults"]["median"] / d["faults"]["median"]
            m = pols[pf]["to_device"]["median"] / d["to_device"]["median"]
            row["faults"][pf], row["moved"][pf] = f, m
            row["ok"][pf] = f <= 1.0 and m <= 1.1
        out.append(row)
    return out


# Workloads whose reference strings come with hmadvise() hints
# (bench/lib/workloads.c): the hints policy is judged on them.
HINTED = ("llm-decode",)


def hint_rows(rows):
    """Per hinted workload and size: faults and pages moved to the device
    of the default and of `hints` (which acts on the workload's hints), and
    how many times fewer pages `hints` moved (issue 18's goal: 1.5x on LLM
    decode)."""
    by = {}
    for r in rows:
        if r["family"] in HINTED and r["policy"] in ("default", "hints"):
            by.setdefault((r["workload"], r["size_x"]), {})[r["policy"]] = r
    out = []
    for (wl, x), pols in by.items():
        d, h = pols.get("default"), pols.get("hints")
        if not d or not h or not h["to_device"]["median"]:
            continue
        out.append({"workload": wl, "size_x": x,
                    "default_faults": d["faults"]["median"],
                    "hints_faults": h["faults"]["median"],
                    "default_moved": d["to_device"]["median"],
                    "hints_moved": h["to_device"]["median"],
                    "fewer_moved": d["to_device"]["median"] / h["to_device"]["median"]})
    return out


# The place part's placements, in its order (bench/exp_place.c).
PLACEMENTS = ["migrate", "hints", "place_remote", "place_counter", "counter_hints"]
PLACE_METRICS = ["faults", "migrated_in", "remote_accesses", "counter_reports",
                 "counter_migrations", "remote_maps", "sim_time_ns", "wall_ns", "hint_ns"]


def place_rows(recs):
    """Per place workload and placement: medians over reps, simulated and
    wall time as multiples of `migrate`'s (the default policy, no hints);
    per workload, the placement with the least simulated device time among
    those whose data was right."""
    groups, order = {}, []
    for r in recs:
        if r["exp"] != "place":
            continue
        if r["workload"] not in order:
            order.append(r["workload"])
        groups.setdefault((r["workload"], r["placement"]), []).append(r)
    rows = []
    for (wl, pl), runs in groups.items():
        r0 = runs[0]
        row = {"workload": wl, "placement": pl, "policy": r0["policy"],
               "hints": r0["hints"], "reps": len(runs), "devices": r0["devices"],
               "pages": r0["pages"], "hot_pages": r0["hot_pages"],
               "capacity": r0["capacity"], "accesses": r0["accesses"],
               "data_ok": all(r["checksum_ok"] and not r["errors"] for r in runs)}
        for m in PLACE_METRICS:
            row[m] = spread([r.get(m) for r in runs])
        rows.append(row)
    rank = lambda p: PLACEMENTS.index(p) if p in PLACEMENTS else len(PLACEMENTS)
    rows.sort(key=lambda r: (order.index(r["workload"]), rank(r["placement"])))
    best = []
    for wl in order:
        rs = [r for r in rows if r["workload"] == wl]
        base = next((r for r in rs if r["placement"] == "migrate"), None)
        for r in rs:
            for m, key in (("sim_time_ns", "sim_over_migrate"), ("wall_ns", "wall_over_migrate")):
                b = base[m]["median"] if base and base[m] else None
                r[key] = r[m]["median"] / b if b and r[m] else None
            r["best"] = False
        ok = [r for r in rs if r["data_ok"] and r["sim_time_ns"]]
        if not ok:
            continue
        b = min(ok, key=lambda r: r["sim_time_ns"]["median"])
        b["best"] = True
        best.append({"workload": wl, "best": b["placement"],
                     "best_sim_ms": b["sim_time_ns"]["median"] / 1e6,
                     "best_sim_over_migrate": b["sim_over_migrate"],
                     "sim_over_migrate": {r["placement"]: r["sim_over_migrate"] for r in rs}})
    return rows, best


def peer_rows(recs):
    groups = {}
    for r in recs:
        if r["exp"] == "peer" and not r["warmup"] and not r.get("profiled"):
            groups.setdefault((r["size_mb"], r["driver"]), []).append(r)
    rows = []
    for (mb, drv), runs in sorted(groups.items()):
        dev = statistics.median(r["to_device_ns"] for r in runs)
        host = statistics.median(r["to_host_ns"] for r in runs)
        rb = statistics.median(r["readback_ns"] for r in runs)
        rows.append({
            "size_mb": mb, "driver": drv, "reps": len(runs),
            "ok": all(r["ok"] for r in runs),
            "to_device_ms": dev / 1e6, "to_host_ms": host / 1e6,
            "readback_ms": rb / 1e6,
            "to_device_mibs": mb / (dev / 1e9) if dev else None,
            "to_host_mibs": mb / (host / 1e9) if host else None,
            "round_trip_mibs": mb / ((dev + host) / 1e9) if dev + host else None,
            "to_device_excl_readback_mibs":
                mb / ((dev - rb) / 1e9) if drv == "test_hmm" and dev > rb else None,
            "to_device_spread_ms": [min(r["to_device_ns"] for r in runs) / 1e6,
                                    max(r["to_device_ns"] for r in runs) / 1e6],
            "to_host_spread_ms": [min(r["to_host_ns"] for r in runs) / 1e6,
                                  max(r["to_host_ns"] for r in runs) / 1e6],
        })
    ratios = []
    for mb in sorted({r["size_mb"] for r in rows}):
        g = next((r for r in rows if r["size_mb"] == mb and r["driver"] == "gmem_sim"), None)
        h = next((r for r in rows if r["size_mb"] == mb and r["driver"] == "test_hmm"), None)
        if g and h:
            ratios.append({
                "size_mb": mb,
                "to_device": g["to_device_mibs"] / h["to_device_mibs"],
                "to_host": g["to_host_mibs"] / h["to_host_mibs"],
                "round_trip": g["round_trip_mibs"] / h["round_trip_mibs"],
                "to_device_vs_excl_readback":
                    g["to_device_mibs"] / h["to_device_excl_readback_mibs"]
                    if h["to_device_excl_readback_mibs"] else None,
            })
    return rows, ratios


def hook_rows(recs):
    rows = [r for r in recs if r["exp"] == "hook"]
    base = next((r for r in rows if r["policy"] == "default"), None)
    for r in rows:
        if base:
            for k in ("p50_ns", "p99_ns", "mean_ns", "wall_per_fault_ns"):
                r[k.replace("_ns", "") + "_ratio"] = r[k] / base[k] if base[k] else None
    return rows


def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) < 100:
        v = float(v)
    if isinstance(v, float):
        if abs(v) >= 100:
            return f"{v:.0f}"
        return f"{v:.{digits}f}"
    return str(v)


def fmt_spread(s, scale=1.0, digits=0):
    if not s:
        return "–"
    med, lo, hi = s["median"] / scale, s["min"] / scale, s["max"] / scale
    if s["n"] == 1 or lo == hi:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"


def size_label(x):
    return f"{x:.3g}x"


def us(r, *keys):
    """Nanosecond fields of a record, in microseconds for a table."""
    return [f"{r[k] / 1e3:.1f}" for k in keys]


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def build(d):
    recs, host = load(d)
    matrix, _ = aggregate_runs(recs, "matrix")
    replay, _ = aggregate_runs(recs, "replay")
    peer, peer_ratio = peer_rows(recs)
    hook = hook_rows(recs)
    swap = [r for r in recs if r["exp"] == "swap"]
    scale = [r for r in recs if r["exp"] == "scale"]
    oversub = [r for r in recs if r["exp"] == "oversub"]
    batch = [r for r in recs if r["exp"] == "batch"]
    profile = [r for r in recs if r["exp"] == "profile"]
    checks = [r for r in recs if r["exp"] == "check"]
    params = next((r for r in recs if r["exp"] == "params"), {})
    config = next((r for r in recs if r["exp"] == "config"), {})
    res = {
        "host": host, "config": config, "params": params,
        "best": best_rows(matrix), "matrix": matrix,
        "replay_best": best_rows(replay), "replay": replay,
        "gap": gap_rows(matrix + replay),
        "prefetch": prefetch_rows(matrix + replay),
        "hints": hint_rows(matrix),
        "peer": peer, "peer_ratio": peer_ratio, "hook": hook, "swap": swap,
        "scale": scale, "oversub": oversub, "batch": batch, "profile": profile,
        "checks": checks,
        "skipped": [r for r in recs if r["exp"] == "skipped"],
        "workloads": [r for r in recs if r["exp"] == "workload"],
    }
    res["gap_summary"] = gap_summary(res["gap"])
    res["place"], res["place_best"] = place_rows(recs)
    return res


def scale_goal_lines(scale):
    """Issue 16's goal: with half the pages pinned and a quarter protected,
    the per-fault latency of a full device is within 1.5x across sizes."""
    lines = []
    full = [s for s in scale if s["phase"].startswith("fault, device full")]
    for variant in sorted({s.get("variant", "all evictable") for s in full}):
        rows = [s for s in full if s.get("variant", "all evictable") == variant]
        if len(rows) < 2:
            continue
        parts = []
        met = True
        for key, name in (("lat_p50_ns", "p50"), ("lat_p99_ns", "p99")):
            vals = [s[key] for s in rows]
            ratio = max(vals) / min(vals) if min(vals) else float("inf")
            met = met and ratio <= 1.5
            parts.append(f"{name} " + ", ".join(
                f"{s[key] / 1e3:.1f} us at N={s['n']}" for s in rows)
                + f": max/min {ratio:.2f}")
        lines.append(f"Device full, {variant}: " + "; ".join(parts)
                     + f" (goal <= 1.5): {'goal met' if met else 'goal NOT met'}.")
    return lines


def peer_goal_lines(ratios):
    """Issue 16's goal: gmem_sim's migration at >= 1.0x test_hmm's each
    way; to the device against test_hmm without its read-back."""
    lines = []
    for r in ratios:
        dev = r["to_device_vs_excl_readback"]
        if dev is None:
            continue
        met = dev >= 1.0 and r["to_host"] >= 1.0
        lines.append(f"Issue 16's goal at {r['size_mb']} MiB: to device {fmt(dev)}x "
                     f"test_hmm excl. read-back, to host {fmt(r['to_host'])}x "
                     f"(goal >= 1.0 each way): {'goal met' if met else 'goal NOT met'}.")
    return lines


def oversub_goal_lines(oversub):
    """Issue 16's goal: under 2x oversubscription, the fault p99 within 2x
    of the fault p99 when the pages fit; per free_target."""
    lines = []
    for target in sorted({o["free_target"] for o in oversub}):
        rows = {o["phase"]: o for o in oversub if o["free_target"] == target}
        fits = next((o for p, o in rows.items() if p.startswith("fits")), None)
        over = next((o for p, o in rows.items() if p.startswith("2x")), None)
        if not fits or not over or not fits["lat_p99_ns"]:
            continue
        ratio = over["lat_p99_ns"] / fits["lat_p99_ns"]
        how = (f"free_target {target} (background eviction)" if target
               else "free_target 0 (faults evict for themselves)")
        lines.append(f"{how}: p99 {over['lat_p99_ns'] / 1e3:.1f} us at 2x against "
                     f"{fits['lat_p99_ns'] / 1e3:.1f} us fitting: {ratio:.2f}x "
                     f"(goal <= 2): {'goal met' if ratio <= 2 else 'goal NOT met'}.")
    return lines


def batch_lines(batch):
    """Per pattern: faults per batch, migrations per fault and the time a
    page takes to come in, against the fault buffer of one."""
    lines = []
    for pattern in sorted({b["pattern"] for b in batch}):
        rows = [b for b in batch if b["pattern"] == pattern]
        one = next((b for b in rows if b["fault_batch"] == "1"), None)
        for b in rows:
            if b is one or not one or not b["wall_per_page_ns"]:
                continue
            lines.append(
                f"{pattern}, fault buffer {b['fault_batch']}: "
                f"{b['faults_per_batch']:.1f} faults per batch, "
                f"{b['migrations_per_fault']:.2f} migrations per fault; "
                f"{b['wall_per_page_ns'] / 1e3:.1f} us per page against "
                f"{one['wall_per_page_ns'] / 1e3:.1f} us one at a time "
                f"({one['wall_per_page_ns'] / b['wall_per_page_ns']:.2f}x the throughput).")
    return lines


def summary_lines(res):
    lines = []
    for b in res["best"] + res["replay_best"]:
        lines.append(
            f"{b['workload']} {size_label(b['size_x'])}: OPT {b['opt']} faults; "
            f"default {fmt(b['default_over_opt'])}x; best demand "
            f"{b['best_demand_policy']} {fmt(b['best_demand_over_opt'])}x; best "
            f"{b['best_policy']} {fmt(b['best_over_opt'])}x "
            f"({b['best_moved']:.0f} pages moved)")
    for r in res["peer_ratio"]:
        lines.append(f"peer {r['size_mb']} MiB: gmem_sim/test_hmm throughput to device "
                     f"{fmt(r['to_device'])}, to host {fmt(r['to_host'])}, round trip "
                     f"{fmt(r['round_trip'])}")
    for h in res["hook"]:
        lines.append(f"hook {h['policy']}: {h['samples']} faults, p50 {h['p50_ns']} ns, "
                     f"p99 {h['p99_ns']} ns (pooled x{fmt(h.get('p50_ratio'))} / "
                     f"x{fmt(h.get('p99_ratio'))} of the C default; per round "
                     f"x{fmt(h.get('p50_ratio_rounds_median'))} / "
                     f"x{fmt(h.get('p99_ratio_rounds_median'))})")
    for s in res["swap"]:
        lines.append(f"swap ({s['load']}): p50 {s['p50_ns']/1e6:.1f} ms, "
                     f"p99 {s['p99_ns']/1e6:.1f} ms, max {s['max_ns']/1e6:.1f} ms")
    for b in res["place_best"]:
        lines.append(f"place {b['workload']}: best {b['best']} ({b['best_sim_ms']:.1f} ms "
                     f"simulated, x{fmt(b['best_sim_over_migrate'])} of migrate); "
                     + ", ".join(f"{p} x{fmt(v)}" for p, v in b["sim_over_migrate"].items()))
    lines += peer_goal_lines(res["peer_ratio"])
    lines += oversub_goal_lines(res.get("oversub", []))
    lines += batch_lines(res.get("batch", []))
    for s in res["scale"]:
        lines.append(f"scale {s.get('variant', 'all evictable')}, {s['resident']} "
                     f"resident ({s['phase']}): per fault p50 "
                     f"{s['lat_p50_ns']/1e3:.1f} us, p99 {s['lat_p99_ns']/1e3:.1f} us, "
                     f"wall {s['wall_per_fault_ns']/1e3:.1f} us")
    return lines


# --------------------------------------------------------------------------
# Plots

def gnuplot(d, name, script):
    if not shutil.which("gnuplot"):
        return False
    path = os.path.abspath(os.path.join(d, "plots", name + ".gp"))
    with open(path, "w") as f:
        f.write(script)
    r = subprocess.run(["gnuplot", path], cwd=d, capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(f"report: gnuplot {name}: {r.stderr}\n")
        return False
    return True


def plot_faults(d, rows, exp, pngs):
    """Per size: clusters per workload, bars per shipped policy, OPT beside."""
    sizes = sorted({r["size_x"] for r in rows})
    for x in sizes:
        rs = [r for r in rows if r["size_x"] == x]
        wls = []
        for r in rs:
            if r["workload"] not in wls:
                wls.append(r["workload"])
        pols = [p for p in SHIPPED if any(r["policy"] == p for r in rs)]
        if not wls or not pols:
            continue
        tag = f"{exp}-{x:.3g}x".replace(".", "_")
        dat = os.path.join(d, "plots", f"faults-{tag}.dat")
        with open(dat, "w") as f:
            f.write("workload OPT " + " ".join(pols) + "\n")
            for wl in wls:
                vals = []
                for p in pols:
                    r = next((r for r in rs if r["workload"] == wl and r["policy"] == p), None)
                    vals.append(str(max(1, r["faults"]["median"])) if r else "NaN")
                opt = next(r["opt"] for r in rs if r["workload"] == wl)
                f.write(f"{wl} {max(1, opt)} " + " ".join(vals) + "\n")
        ncol = len(pols) + 2
        script = f"""
set terminal pngcairo size {max(900, 140 * len(wls))},520 font ",10" noenhanced
set output "faults-{tag}.png"
set title "Device faults per workload and policy at {x:.3g}x the device ({rs[0]['capacity']} pages); OPT = Belady's minimum (demand paging)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set ylabel "device faults (median of reps, log)"
set xtics rotate by -25 noenhanced
set key outside right top vertical noenhanced
set grid ytics
set key autotitle columnheader
plot "plots/faults-{tag}.dat" using 2:xtic(1) lc rgb "black", \\
     for [i=3:{ncol}] "" using i
"""
        if gnuplot(d, f"faults-{tag}", script):
            pngs.append(f"faults-{tag}.png")


def plot_peer(d, peer, pngs):
    sizes = sorted({r["size_mb"] for r in peer})
    if not sizes:
        return
    dat = os.path.join(d, "plots", "peer.dat")
    with open(dat, "w") as f:
        f.write("size gmem_to_dev hmm_to_dev hmm_to_dev_excl gmem_to_host hmm_to_host\n")
        for mb in sizes:
            g = next((r for r in peer if r["size_mb"] == mb and r["driver"] == "gmem_sim"), {})
            h = next((r for r in peer if r["size_mb"] == mb and r["driver"] == "test_hmm"), {})
            f.write(f"{mb}MiB {g.get('to_device_mibs') or 'NaN'} {h.get('to_device_mibs') or 'NaN'} "
                    f"{h.get('to_device_excl_readback_mibs') or 'NaN'} "
                    f"{g.get('to_host_mibs') or 'NaN'} {h.get('to_host_mibs') or 'NaN'}\n")
    script = """
set terminal pngcairo size 1000,520 font ",10" noenhanced
set output "peer.png"
set title "Migration throughput: gmem_sim (hmadvise MADV_PREFETCH) vs test_hmm (HMM_DMIRROR_MIGRATE_*)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set ylabel "MiB/s (median of reps)"
set yrange [0:*]
set key below horizontal
set grid ytics
set key noautotitle
plot "plots/peer.dat" every ::1 using 2:xtic(1) title "gmem_sim to device", \\
     "" every ::1 using 3 title "test_hmm to device (incl. its read-back)", \\
     "" every ::1 using 4 title "test_hmm to device, read-back subtracted (estimate)", \\
     "" every ::1 using 5 title "gmem_sim to host", "" every ::1 using 6 title "test_hmm to host"
"""
    if gnuplot(d, "peer", script):
        pngs.append("peer.png")


def plot_hook(d, hook, pngs):
    if not hook:
        return
    keys = ["p10_ns", "p25_ns", "p50_ns", "p75_ns", "p90_ns", "p95_ns", "p99_ns", "p999_ns"]
    labels = ["p10", "p25", "p50", "p75", "p90", "p95", "p99", "p99.9"]
    with open(os.path.join(d, "plots", "hook.dat"), "w") as f:
        label = {"default": "default (C LRU)", "lru": "lru (the same LRU in BPF)",
                 "none": "none (C LRU + empty BPF prefetch hook)"}
        f.write("pct " + " ".join(f'"{label.get(h["policy"], h["policy"])}"'
                                  for h in hook) + "\n")
        for k, lab in zip(keys, labels):
            f.write(lab + " " + " ".join(f"{h[k] / 1000:.2f}" for h in hook) + "\n")
    script = f"""
set terminal pngcairo size 800,450 font ",10" noenhanced
set output "hook.png"
set title "Device fault latency (gmem:gmem_fault latency_ns): C LRU vs the same LRU in BPF"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set logscale y
set ylabel "us (log)"
set key below noenhanced
set grid ytics
set key autotitle columnheader
plot for [i=2:{len(hook) + 1}] "plots/hook.dat" using i:xtic(1)
"""
    if gnuplot(d, "hook", script):
        pngs.append("hook.png")


def plot_scale(d, scale, pngs):
    rows = [s for s in scale if s["phase"] != "fill"]
    if not rows:
        return
    def pick(n, phase, variant="all evictable"):
        return next((s for s in rows if s["n"] == n and phase in s["phase"] and
                     s.get("variant", "all evictable") == variant), None)

    with open(os.path.join(d, "plots", "scale.dat"), "w") as f:
        f.write("n free_p50 free_p99 full_p50 full_p99 pinned_p50 pinned_p99\n")
        for n in sorted({s["n"] for s in rows}):
            a, b = pick(n, "free"), pick(n, "full")
            c = pick(n, "full", "half pinned, quarter protected")
            vals = [a and a["lat_p50_ns"], a and a["lat_p99_ns"],
                    b and b["lat_p50_ns"], b and b["lat_p99_ns"],
                    c and c["lat_p50_ns"], c and c["lat_p99_ns"]]
            f.write(f"{n} " + " ".join(f"{v / 1000:.2f}" if v else "NaN" for v in vals) + "\n")
    script = """
set terminal pngcairo size 800,450 font ",10" noenhanced
set output "scale.png"
set title "Per-fault latency against pages already resident (C default policy)"
set logscale x
set logscale y
set xlabel "resident pages"
set ylabel "us (log)"
set key bottom right
set grid
plot "plots/scale.dat" every ::1 using 1:2 with linespoints title "p50, free frames", \\
     "" every ::1 using 1:3 with linespoints title "p99, free frames", \\
     "" every ::1 using 1:4 with linespoints title "p50, device full (evicting)", \\
     "" every ::1 using 1:5 with linespoints title "p99, device full (evicting)", \\
     "" every ::1 using 1:6 with linespoints title "p50, full, half pinned + quarter protected", \\
     "" every ::1 using 1:7 with linespoints title "p99, full, half pinned + quarter protected"
"""
    if gnuplot(d, "scale", script):
        pngs.append("scale.png")


# --------------------------------------------------------------------------
# Markdown

def markdown(res, pngs):
    h = res["host"]
    L = ["# GMEM-BPF benchmark results", ""]
    target = "make bench-quick" if h.get("mode") == "--quick" else "make bench"
    L.append(f"Run on {h.get('date', '?')}, {h.get('machine', '?')}; "
             f"`{target}` took {h.get('wall_s', '?')} s "
             f"(the suite itself {res['params'].get('suite_s', '?')} s). "
             f"Generated by bench/report.py from raw.jsonl; method in bench/README.md.")
    L.append("")
    p = res["params"]
    L.append(f"gmem_sim cost model (module parameters, defaults): fault_latency_ns="
             f"{p.get('fault_latency_ns')}, link_mbps={p.get('link_mbps')}, access_ns="
             f"{p.get('access_ns')}"
             + (f", remote_access_ns={p['remote_access_ns']}, access_counter_threshold="
                f"{p.get('access_counter_threshold')}" if "remote_access_ns" in p else "")
             + ". The model only *accounts* simulated device time "
             f"(sim ms below); nothing sleeps, so wall times are the real CPU cost of "
             f"the kernel paths (under TCG, so compare ratios, not absolutes).")
    L.append("")
    skipped = res.get("skipped") or []
    if skipped:
        L.append("Not run, the time budget being spent: " + "; ".join(
            f"{s['runs']} runs of {s['tier']}" for s in skipped) + ".")
    else:
        L.append("Every planned run ran (none skipped for time).")
    L.append("")
    bad = [c for c in res["checks"] if not c["ok"]]
    L.append(f"Sanity checks: {len(res['checks']) - len(bad)} of {len(res['checks'])} passed"
             + ("" if not bad else ": FAILED " + "; ".join(c["name"] for c in bad)) + ".")
    L.append("")

    L.append("## Headline: best policy against Belady's OPT")
    L.append("")
    L.append("Device faults (median of reps) as a multiple of OPT, the fewest demand "
             "faults any eviction policy could take on the same reference string and "
             "capacity. Prefetching policies can go below 1: they move pages without a "
             "fault; the pages they move are in the next column, and the share of their "
             "prefetched pages evicted unused after it.")
    L.append("")
    rows = []
    for b in res["best"] + res["replay_best"]:
        rows.append([b["workload"], size_label(b["size_x"]), b["opt"],
                     fmt(b["default_over_opt"]),
                     f"{b['best_demand_policy']} {fmt(b['best_demand_over_opt'])}",
                     f"{b['best_policy']} {fmt(b['best_over_opt'])}",
                     f"{b['best_moved']:.0f} ({fmt(b['best_moved'] / b['opt'] if b['opt'] else None)}x)",
                     fmt(b["best_unused_prefetch_share"] * 100 if b["best_unused_prefetch_share"] is not None else None, 0) + ("%" if b["best_unused_prefetch_share"] is not None else ""),
                     f"{b['fewest_moves_policy']} {fmt(b['fewest_moves_over_opt'])}"])
    L.append(md_table(["workload", "size", "OPT faults", "default / OPT",
                       "best demand policy / OPT", "best policy / OPT",
                       "pages it moved (/ OPT)", "its prefetches unused",
                       "fewest pages moved / OPT"], rows))
    L.append("")
    for png in pngs:
        if png.startswith("faults-"):
            L.append(f"![{png}]({png})")
    L.append("")

    L.append("## Device faults / OPT, every policy")
    L.append("")
    pols = []
    for r in res["matrix"]:
        if r["policy"] not in pols:
            pols.append(r["policy"])
    table = []
    keys = []
    for r in res["matrix"]:
        k = (r["workload"], r["size_x"])
        if k not in keys:
            keys.append(k)
    for k in keys:
        line = [k[0], size_label(k[1])]
        for pol in pols:
            r = next((r for r in res["matrix"] if (r["workload"], r["size_x"]) == k
                      and r["policy"] == pol), None)
            line.append(fmt(r["faults_over_opt"]) if r else "–")
        table.append(line)
    L.append(md_table(["workload", "size"] + pols, table))
    L.append("")

    if res["gap"]:
        L.append("## Eviction: share of the LRU-to-OPT gap closed")
        L.append("")
        L.append("(offline LRU − policy) / (offline LRU − OPT), device faults (median), "
                 "for the demand-paging evictors, on every workload, size and trace "
                 "where LRU is not already optimal: 1 is OPT, 0 is LRU, below 0 worse "
                 "than LRU. The last rows: the mean over them and over the traces' "
                 "rows, and the worst faults as a multiple of LRU's and of the "
                 "kernel's `lru` (which, like every evictor here, learns of the "
                 "device's hits from its reports). The last column is no policy: ARC computed "
                 "offline on the same reference string, told of every use "
                 "(`bench/lib/evictors.c`), what an adaptive recency/frequency "
                 "evictor could close at best.")
        L.append("")
        pols = [p for p in EVICTORS + [OFFLINE_ARC] if p in res["gap_summary"]]
        table = []
        for g in res["gap"]:
            table.append([g["workload"], size_label(g["size_x"]), g["opt"], g["lru_sim"]]
                         + [fmt(g["gap_closed"].get(p)) if p in g["gap_closed"] else "–"
                            for p in pols])
        for label, key in (("**mean**", "mean_gap_closed"),
                           ("**mean, traces**", "mean_gap_closed_traces"),
                           ("**worst / LRU**", "worst_over_lru"),
                           ("**worst / `lru`**", "worst_over_kernel_lru")):
            table.append([label, "", "", ""]
                         + [fmt(res["gap_summary"][p][key]) for p in pols])
        L.append(md_table(["workload", "size", "OPT", "LRU"] + pols, table))
        L.append("")

    if res["prefetch"]:
        L.append("## Prefetchers against the default")
        L.append("")
        L.append("Device faults and pages moved to the device (medians) of each shipped "
                 "prefetcher as multiples of the default's (the same eviction, no "
                 "prefetch), on every workload, size and trace. Issue 18's goal: no more "
                 "faults and at most 1.1x the pages; a pair outside it is marked *. "
                 "The prefetchers back off when their pages go unused "
                 "(`bpf/lib/pf_feedback.h`): GMEM judges each prefetched range 8 faults "
                 "after the bet (`gmem_prefetch_verdicts()`), or when its pages leave "
                 "the device.")
        L.append("")
        pfs = [p for p in PREFETCHERS if any(p in r["faults"] for r in res["prefetch"])]
        table = []
        for r in res["prefetch"]:
            line = [r["workload"], size_label(r["size_x"])]
            for pf in pfs:
                if pf not in r["faults"]:
                    line.append("–")
                    continue
                cell = f"{fmt(r['faults'][pf])} / {fmt(r['moved'][pf])}"
                line.append(cell if r["ok"][pf] else cell + " *")
            table.append(line)
        within = {pf: sum(1 for r in res["prefetch"] if r["ok"].get(pf))
                  for pf in pfs}
        total = {pf: sum(1 for r in res["prefetch"] if pf in r["ok"]) for pf in pfs}
        table.append(["**within the goal**", ""]
                     + [f"{within[pf]} of {total[pf]}" for pf in pfs])
        L.append(md_table(["workload", "size"] + [f"{pf}: faults / moved" for pf in pfs],
                          table))
        L.append("")

    if res["hints"]:
        L.append("## Application-informed: `hints` against the default")
        L.append("")
        L.append("The LLM decode workload tells GMEM what its pages are "
                 "(`hmadvise()`: the weights, streamed once a token, as streaming; the "
                 "KV cache, reused every token, as hot); the `hints` policy evicts "
                 "streaming pages first and hot ones last, the default knows nothing. "
                 "Medians; issue 18's goal is 1.5x fewer pages moved.")
        L.append("")
        L.append(md_table(["workload", "size", "default: faults / moved",
                           "hints: faults / moved", "pages moved, default / hints"],
                          [[r["workload"], size_label(r["size_x"]),
                            f"{r['default_faults']:.0f} / {r['default_moved']:.0f}",
                            f"{r['hints_faults']:.0f} / {r['hints_moved']:.0f}",
                            fmt(r["fewer_moved"])] for r in res["hints"]]))
        L.append("")

    if res["place"]:
        L.append(place_section(res))
        L.append("")

    if res["replay"]:
        L.append("## Trace replay")
        L.append("")
        for w in res["workloads"]:
            if w["family"] == "trace":
                L.append(f"- `{w.get('file')}`: {w['accesses']} references to {w['pages']} "
                         f"distinct pages, device {w['capacity']} pages "
                         f"({size_label(round(w['size_x'], 2))}): OPT {w['opt']}, offline "
                         f"LRU {w['lru_sim']}, FIFO {w['fifo_sim']}")
        L.append("")
        L.append(detail_table(res["replay"]))
        L.append("")

    if res["peer"]:
        L.append("## Migration throughput: gmem_sim against test_hmm, same VM")
        L.append("")
        L.append("gmem_sim: `hmadvise(hnid, MADV_PREFETCH)` to the device, then "
                 "`hmadvise(0, MADV_PREFETCH)` back to host node 0; test_hmm: "
                 "`HMM_DMIRROR_MIGRATE_TO_DEV` then `HMM_DMIRROR_MIGRATE_TO_SYS` on "
                 "/dev/hmm_dmirror0. Both on CPU-written anonymous memory, every page "
                 "checked afterwards. test_hmm's to-device ioctl also reads the range "
                 "back through its mirror into the caller's buffer; `HMM_DMIRROR_READ` "
                 "of the same range measures that, and the last column removes it "
                 "(an estimate). Median of reps after a warm-up; spread in brackets.")
        L.append("")
        rows = []
        for r in res["peer"]:
            rows.append([r["size_mb"], r["driver"], r["reps"],
                         f"{r['to_device_ms']:.1f} ({r['to_device_spread_ms'][0]:.1f}–{r['to_device_spread_ms'][1]:.1f})",
                         f"{r['to_host_ms']:.1f} ({r['to_host_spread_ms'][0]:.1f}–{r['to_host_spread_ms'][1]:.1f})",
                         fmt(r["to_device_mibs"], 0), fmt(r["to_host_mibs"], 0),
                         fmt(r["round_trip_mibs"], 0),
                         fmt(r["to_device_excl_readback_mibs"], 0)])
        L.append(md_table(["MiB", "driver", "reps", "to device ms", "to host ms",
                           "to device MiB/s", "to host MiB/s", "round trip MiB/s",
                           "to device MiB/s excl. read-back"], rows))
        L.append("")
        rows = [[r["size_mb"], fmt(r["to_device"]), fmt(r["to_host"]),
                 fmt(r["round_trip"]), fmt(r["to_device_vs_excl_readback"])]
                for r in res["peer_ratio"]]
        L.append("gmem_sim / test_hmm throughput:")
        L.append("")
        L.append(md_table(["MiB", "to device", "to host", "round trip",
                           "to device vs test_hmm excl. read-back"], rows))
        L.append("")
        L += [line + "\n" for line in peer_goal_lines(res["peer_ratio"])]

    if res["hook"]:
        L.append("## Hook overhead: the same LRU in C and in BPF")
        L.append("")
        h0 = res["hook"][0]
        L.append(f"Uniform random reads over 2x the device, thrashing protection off "
                 f"(it is the C default's alone), so both policies evict the same pages; "
                 f"latency of every device fault from the gmem:gmem_fault tracepoint "
                 f"(a tp_btf program). {h0.get('rounds')} rounds of "
                 f"{h0.get('accesses_per_round')} references, each running the three "
                 f"policies in a rotating order; percentiles pooled over the rounds, "
                 f"and the median over rounds of each round's ratio to the C default, "
                 f"which a drifting host load affects less.")
        L.append("")
        rows = [[r["policy"], r["what"], r["faults"], r["samples"], r["p50_ns"],
                 r["p90_ns"], r["p99_ns"], r["mean_ns"], fmt(r.get("p50_ratio")),
                 fmt(r.get("p99_ratio")), fmt(r.get("mean_ratio")),
                 f"{fmt(r.get('p50_ratio_rounds_median'))} ({fmt(r.get('p50_ratio_rounds_min'))}–{fmt(r.get('p50_ratio_rounds_max'))})",
                 fmt(r.get("p99_ratio_rounds_median")),
                 r["wall_per_fault_ns"]] for r in res["hook"]]
        L.append(md_table(["policy", "what", "faults", "samples", "p50 ns", "p90 ns",
                           "p99 ns", "mean ns", "p50 / C", "p99 / C", "mean / C",
                           "p50 / C, per round: median (min–max)",
                           "p99 / C, per round: median", "wall ns per fault"], rows))
        L.append("")

    if res["swap"]:
        L.append("## Policy swap latency")
        L.append("")
        L.append("The `write()` of a policy name to /sys/kernel/gmem/policy (lru and fifo "
                 "in turn; a worker hands the resident pages over after it returns), "
                 "idle and while another process faults random pages over 2x the "
                 "device. Issue 16's goal under that load: p50 < 1 ms, p99 < 5 ms.")
        L.append("")
        rows = [[s["load"], s["swaps"], f"{s['p50_ns'] / 1e6:.2f}",
                 f"{s['p90_ns'] / 1e6:.2f}", f"{s['p99_ns'] / 1e6:.2f}",
                 f"{s['max_ns'] / 1e6:.2f}", s["load_faults_during"], s["load_errors"]]
                for s in res["swap"]]
        L.append(md_table(["load", "swaps", "p50 ms", "p90 ms", "p99 ms", "max ms",
                           "load's faults meanwhile", "load's errors"], rows))
        for s in res["swap"]:
            if s["load"] != "none":
                met = s["p50_ns"] < 1e6 and s["p99_ns"] < 5e6
                L.append("")
                L.append(f"Under load: p50 {s['p50_ns'] / 1e6:.2f} ms (goal < 1), "
                         f"p99 {s['p99_ns'] / 1e6:.2f} ms (goal < 5): "
                         f"{'goal met' if met else 'goal NOT met'}.")
        L.append("")

    if res["scale"]:
        L.append("## Per-fault cost against resident pages")
        L.append("")
        L.append("The device first fills N pages (zero-fill writes), then faults in "
                 "further pages while those stay: first into free frames, then with "
                 "the device full, each fault's eviction round moving 16 pages back. "
                 "C default policy. In the second variant, before the faults, half "
                 "of the N pages are pinned (MADV_PIN) and a quarter are protected "
                 "as thrashing; 'scanned / round' is the frames an eviction round "
                 "looked at (evict_scanned).")
        L.append("")
        rows = [[s.get("variant", "all evictable"), s["n"], s["phase"], s["resident"],
                 s.get("pinned", "-"), s.get("protected", "-"), s["faults"],
                 *us(s, "lat_p50_ns", "lat_p90_ns", "lat_p99_ns", "lat_mean_ns",
                     "wall_per_fault_ns"),
                 s["pages_evicted"], s.get("scanned_per_round", "-")]
                for s in res["scale"]]
        L.append(md_table(["variant", "N", "phase", "resident at start", "pinned",
                           "protected", "faults", "p50 us", "p90 us", "p99 us",
                           "mean us", "wall us / fault", "pages evicted",
                           "scanned / round"], rows))
        L.append("")
        for line in scale_goal_lines(res["scale"]):
            L.append(line)
        L.append("")

    if res["oversub"]:
        L.append("## Fault latency: fitting against 2x oversubscribed")
        L.append("")
        L.append("Sequential device writes of pages in host memory: half the device "
                 "into free frames (fits), then twice the device written twice, the second pass "
                 "measured (every fault needs a frame an eviction frees). With "
                 "free_target 0 a fault that finds the device full runs an "
                 "eviction round itself; with a target, a worker evicts in the "
                 "background until that many frames are free. C default policy.")
        L.append("")
        rows = [[o["free_target"], o["phase"], o["faults"], o["rounds"],
                 o["rounds_background"], o.get("fault_retries", "-"),
                 *us(o, "lat_p50_ns", "lat_p90_ns", "lat_p99_ns", "lat_max_ns",
                     "lat_mean_ns", "wall_per_fault_ns")]
                for o in res["oversub"]]
        L.append(md_table(["free_target", "phase", "faults", "eviction rounds",
                           "in the background", "snapshots overtaken",
                           "p50 us", "p90 us", "p99 us",
                           "max us", "mean us", "wall us / fault"], rows))
        L.append("")
        for line in oversub_goal_lines(res["oversub"]):
            L.append(line)
        L.append("")

    if res["profile"]:
        L.append("## Where a migration's time goes")
        L.append("")
        L.append("One more rep of the peer part's largest size under the stage profiler "
                 "(fentry/fexit on each function, bench/stage_prof.h; the probes slow "
                 "it, so read the shares, not the times). Stages nest: 'migration to "
                 "the device (all of it)' holds setup, allocation, copy, pages, "
                 "bookkeeping and finalize; 'map on the device' holds the snapshot. "
                 "test_hmm's to-device wall time includes its read-back through the "
                 "mirror. Tracepoints are not timed (not functions).")
        L.append("")
        rows = [[p["driver"], p["direction"], p["stage"], f"{p['ns'] / 1e6:.1f}",
                 p["calls"], f"{100 * p['ns'] / p['wall_ns']:.0f}%" if p["wall_ns"] else "-"]
                for p in res["profile"]]
        L.append(md_table(["driver", "direction", "stage", "ms", "calls",
                           "share of the wall time"], rows))
        L.append("")

    if res["batch"]:
        L.append("## Batched faults")
        L.append("")
        L.append("gmem_sim's fault buffer (module parameter fault_batch): a kernel "
                 "keeps running past accesses that fault, up to that many, and GMEM "
                 "resolves them together (gm_dev_fault_batch()), one migration per "
                 "run of up to 64 adjacent pages (per gap between pages already "
                 "there). A device read of pages in host "
                 "memory, sequential (every page once) and random (as many "
                 "accesses as pages); the device has room for all.")
        L.append("")
        rows = [[b["pattern"], b["fault_batch"], b["faults"], b["batches"],
                 f"{b['faults_per_batch']:.1f}", b["migrations"],
                 f"{b['migrations_per_fault']:.2f}", b["migrated_in"],
                 f"{b['wall_per_page_ns'] / 1e3:.1f}",
                 f"{b['sim_time_ns'] / 1e6:.1f}"]
                for b in res["batch"]]
        L.append(md_table(["pattern", "fault buffer", "faults", "batches",
                           "faults / batch", "migrations", "migrations / fault",
                           "pages in", "wall us / page", "simulated ms"], rows))
        L.append("")
        for line in batch_lines(res["batch"]):
            L.append(line)
        L.append("")

    other = [p for p in pngs if not p.startswith("faults-")]
    for png in other:
        L.append(f"![{png}]({png})")
    L.append("")

    L.append("## Every run, by workload")
    L.append("")
    L.append("Medians over reps, (min–max) where they differ. `unused` = prefetched "
             "pages evicted before any reference (exact, from the event replay of the "
             "traced rep), `+end` = prefetched and unused but still resident at the end.")
    L.append("")
    L.append(detail_table(res["matrix"]))
    L.append("")
    L.append("## Checks")
    L.append("")
    for c in res["checks"]:
        L.append(f"- {'ok' if c['ok'] else 'FAILED'}: {c['name']}")
    L.append("")
    return "\n".join(L)


def place_section(res):
    """The Placement table: per workload, each placement's figures and its
    simulated time against `migrate`; the best (least simulated time) bold."""
    L = ["## Placement: migrate, or map from host memory", ""]
    r0 = res["place"][0]
    L.append(f"Each workload under each placement (bench/exp_place.c, two devices of "
             f"{r0['capacity']} pages): `migrate` is the default policy without hints "
             "(every device fault migrates the page); `hints` the default with "
             "`MADV_PREFERRED_LOCATION` host and `MADV_ACCESSED_BY` the reading "
             "device(s), which maps the host pages on the device at once; `place_remote` "
             "maps every faulting page from host memory; `place_counter` does too, and "
             "migrates a page once the device's access-counter reports for it add up to "
             "64 accesses; `counter_hints` is `place_counter` with `MADV_ACCESSED_BY` "
             "alone (no fault to map a page; a host preference would stop its "
             "promotions). Simulated device time: faults x fault_latency_ns + pages "
             "migrated in x copy time + local accesses x access_ns + remote accesses x "
             "remote_access_ns. Wall time includes the hints' `hmadvise()`. Medians "
             "of reps; the placement with the least simulated time is in bold (of equal "
             "ones, the first).")
    L.append("")
    rows = []
    for r in res["place"]:
        name = f"**{r['placement']}**" if r["best"] else r["placement"]
        rows.append([r["workload"], name, r["policy"], r["hints"],
                     fmt_spread(r["faults"]), fmt_spread(r["migrated_in"]),
                     fmt_spread(r["remote_accesses"]),
                     f"{fmt_spread(r['counter_reports'])} / {fmt_spread(r['counter_migrations'])}",
                     fmt_spread(r["sim_time_ns"], 1e6, 2), fmt(r["sim_over_migrate"]),
                     fmt_spread(r["wall_ns"], 1e6, 1), fmt(r["wall_over_migrate"]),
                     "ok" if r["data_ok"] else "WRONG"])
    L.append(md_table(["workload", "placement", "policy", "hints", "faults",
                       "migrated in", "remote accesses", "counter reports / migrations",
                       "sim ms", "sim / migrate", "wall ms", "wall / migrate", "data"],
                      rows))
    L.append("")
    for w in {r["workload"]: r for r in res["place"]}.values():
        L.append(f"- `{w['workload']}`: {w['pages']} pages"
                 + (f" ({w['hot_pages']} hot)" if w["hot_pages"] else "")
                 + f", {w['accesses']} references in all, {w['devices']} device(s)")
    L.append("")
    L.append("Best (least simulated device time): " + "; ".join(
        f"{b['workload']}: {b['best']} (x{fmt(b['best_sim_over_migrate'])} of migrate)"
        for b in res["place_best"]) + ".")
    return "\n".join(L)


def detail_table(rows):
    out = []
    keys = []
    for r in rows:
        k = (r["workload"], r["size_x"])
        if k not in keys:
            keys.append(k)
    header = ["policy", "faults", "/ OPT", "to device", "to host", "evict rounds",
              "prefetched", "unused (+end)", "sim ms", "wall ms", "p50 fault us"]
    for k in keys:
        rs = [r for r in rows if (r["workload"], r["size_x"]) == k]
        r0 = rs[0]
        out.append(f"### {k[0]} at {size_label(k[1])} ({r0['pages']} pages, "
                   f"{r0['accesses']} references, device {r0['capacity']} pages): "
                   f"OPT {r0['opt']}, offline LRU {r0['lru_sim']}, FIFO {r0['fifo_sim']}")
        out.append("")
        t = []
        for r in rs:
            unused = "–"
            if r.get("prefetch_in") is not None:
                unused = f"{r['prefetch_unused_evicted']} (+{r['prefetch_unused_end']})"
            wall = r["wall_ns_untraced"] or r["wall_ns"]
            t.append([r["policy"], fmt_spread(r["faults"]), fmt(r["faults_over_opt"]),
                      fmt_spread(r["to_device"]), fmt_spread(r["to_host"]),
                      fmt_spread(r["evictions"]),
                      r.get("prefetch_in") if r.get("prefetch_in") is not None else "–",
                      unused, fmt_spread(r["sim_time_ns"], 1e6, 1),
                      fmt_spread(wall, 1e6, 1),
                      fmt_spread(r["lat_p50_ns"], 1e3, 1)])
        out.append(md_table(header, t))
        out.append("")
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    summary = "--summary" in args
    args = [a for a in args if a != "--summary"]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    d = args[0]
    res = build(d)
    if summary:
        print("\n".join(summary_lines(res)))
        return 0
    os.makedirs(os.path.join(d, "plots"), exist_ok=True)
    pngs = []
    plot_faults(d, res["matrix"], "matrix", pngs)
    plot_faults(d, res["replay"], "replay", pngs)
    plot_peer(d, res["peer"], pngs)
    plot_hook(d, res["hook"], pngs)
    plot_scale(d, res["scale"], pngs)
    res["plots"] = pngs
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(markdown(res, pngs))
    print("\n".join(summary_lines(res)))
    print(f"report: {d}/results.json, {d}/results.md, {len(pngs)} plots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
