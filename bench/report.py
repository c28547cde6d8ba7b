#!/usr/bin/python3
"""report.py — turn the JSON lines of scripts/bench (ours and the peers) into one Markdown table with
ratios against the best peer, and check the targets of docs/performance.md.

    bench/report.py RESULTS.jsonl [--machine TEXT]

Each input line is one JSON object: ours {"who": "lenet5 native"|"lenet5 wasm", "arch", "threads",
"infer_b1_us", "infer_batch_per_s", "train_mb1_per_s", "train_mb32_per_s"}; peers the same keys plus
"peer" and "version" (null for a figure the peer cannot compute); the machine's measured FMA peak
{"machine": "fma peak", "gflops_1t", "gflops_all", "threads"} (bench/peak/fma_peak.cpp), from which
the floors are printed; the hypervisor's steal while a part ran {"machine": "steal", "part",
"steal_pct"} (scripts/bench reads /proc/stat). Exit status 0 always (a report).

Rounds: scripts/bench measures ours and the peers that set the ratio targets more than once
(--rounds, each line tagged {"round": k}). Lines of the same runtime and arch are merged figure by
figure into the best of its rounds (the same rule for ours and the peers: a slow spell of the host
during one round does not decide a figure), and the ratio targets also print each round's ratio.
"""
import json, sys

# Work per digit (docs/performance.md, "The floor"): a forward pass is 416,520 multiply-adds; training
# adds the weight gradients (416,520) and the input gradients of every layer but C1 (298,920).
FWD_FLOP = 2 * 416520
TRAIN_FLOP = 2 * (416520 + 416520 + 298920)

KEYS = [("infer_b1_us", "batch-1 inference (us/digit)", "low"),
        ("infer_batch_per_s", "batched inference (digits/s)", "high"),
        ("train_mb1_per_s", "per-sample SGD (digits/s)", "high"),
        ("train_mb32_per_s", "minibatch-32 SGD (digits/s)", "high")]


def fmt(v, low):
    if v is None:
        return "n/a"
    if low:
        return f"{v:,.1f}"
    return f"{v:,.0f}"


def ident(r):
    return ("who", r["who"], r.get("arch")) if "who" in r else ("peer", r["peer"], r.get("arch", "lenet5"))


def merge(rs):
    """One row from a runtime's rounds: each figure the best of the rounds that have it."""
    out = dict(rs[0])
    for k, _, d in KEYS:
        vals = [r.get(k) for r in rs if r.get(k) is not None]
        out[k] = (min(vals) if d == "low" else max(vals)) if vals else None
    out["rounds"] = len(rs)
    return out


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: report.py RESULTS.jsonl")
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    rounds_of = {}  # runtime -> [row of round 1, round 2, ...] (as read)
    for r in rows:
        if "who" in r or "peer" in r:
            rounds_of.setdefault(ident(r), []).append(r)
    merged = {k: merge(v) for k, v in rounds_of.items()}
    ours = [merged[k] for k in rounds_of if k[0] == "who"]
    peers = [merged[k] for k in rounds_of if k[0] == "peer"]
    nrounds = max((len(v) for v in rounds_of.values()), default=1)
    peak = next((r for r in rows if r.get("machine") == "fma peak" and "gflops_1t" in r), None)
    steal = [r for r in rows if r.get("machine") == "steal"]
    if steal:
        print("CPU time the hypervisor gave to other guests while each part ran (steal; high steal makes "
              "that part's figures low): " + ", ".join(f"{r['part']} {r['steal_pct']:.1f}%" for r in steal) + ".")
        print()

    def name(r):
        if "who" in r:
            return f"**{r['who']}** `{r['arch']}`"
        extra = f" ({r['arch']})" if r.get("arch", "lenet5") != "lenet5" else ""
        return f"{r['peer']} {r.get('version', '')}{extra}"

    def threads(r):
        tb = r.get("threads_batch", r.get("threads", 1))
        return f"1 / {tb}"

    if nrounds > 1:
        print(f"Each figure is the best of {nrounds} rounds' medians, for ours and the peers alike (the rounds "
              "ran in turn: ours, then the peers, then again); a runtime with one round ran once.")
        print()
    print("| runtime | threads (other / batched) | " + " | ".join(k[1] for k in KEYS) + " |")
    print("|---|---|" + "---:|" * len(KEYS))
    for r in ours + peers:
        print(f"| {name(r)} | {threads(r)} | " + " | ".join(fmt(r.get(k), d == "low") for k, _, d in KEYS) + " |")

    best = {}
    for k, _, d in KEYS:
        vals = [(p[k], p["peer"]) for p in peers if p.get(k) is not None]
        if vals:
            best[k] = min(vals) if d == "low" else max(vals)

    def ratio(r, k, d):
        if k not in best or r.get(k) is None:
            return None
        b = best[k][0]
        return b / r[k] if d == "low" else r[k] / b

    if ours and best:
        print()
        print("Speed-up over the best peer of each column (higher is better; the peer in brackets):")
        print()
        print("| ours | " + " | ".join(k[1] for k in KEYS) + " |")
        print("|---|" + "---:|" * len(KEYS))
        for r in ours:
            cells = []
            for k, _, d in KEYS:
                x = ratio(r, k, d)
                cells.append("n/a" if x is None else f"{x:.1f}x ({best[k][1]})")
            print(f"| {r['who']} `{r['arch']}` | " + " | ".join(cells) + " |")

    if peak:
        g1, ga, nt = peak["gflops_1t"], peak["gflops_all"], peak.get("threads", 2)
        floors = {"infer_b1_us": FWD_FLOP / (g1 * 1e3), "infer_batch_per_s": ga * 1e9 / FWD_FLOP,
                  "train_mb1_per_s": g1 * 1e9 / TRAIN_FLOP, "train_mb32_per_s": g1 * 1e9 / TRAIN_FLOP}
        print()
        bits = peak.get("vector_bits")
        width = f" ({bits}-bit vectors)" if bits else ""
        print(f"Floor: the FMA peak measured in this run (bench/peak/fma_peak.cpp) is {g1:.1f} GFLOP/s on one "
              f"thread and {ga:.1f} on {nt}{width}; a forward pass is 0.83 MFLOP, a training step 2.26 MFLOP.")
        print()
        print("| | " + " | ".join(k[1] for k in KEYS) + " |")
        print("|---|" + "---:|" * len(KEYS))
        print("| floor (FMA peak) | " + " | ".join(fmt(floors[k], d == "low") for k, _, d in KEYS) + " |")
        for r in ours:
            if r["who"] != "lenet5 native" or r["arch"] != "lenet5":  # the floor's MAC counts are lenet5's
                continue
            cells = []
            for k, _, d in KEYS:
                v = r.get(k)
                cells.append("n/a" if v is None else
                             f"{100 * (floors[k] / v if d == 'low' else v / floors[k]):.0f}%")
            print(f"| {r['who']} `{r['arch']}`, % of the floor | " + " | ".join(cells) + " |")

    # Targets (docs/performance.md)
    def get(who, arch, k):
        for r in ours:
            if r["who"] == who and r["arch"] == arch:
                return r.get(k)
        return None

    checks = []
    def chk(desc, v, ok):
        checks.append((desc, v, ok))
    n5 = lambda k: get("lenet5 native", "lenet5", k)
    n98 = lambda k: get("lenet5 native", "lenet5-1998", k)
    w5 = lambda k: get("lenet5 wasm", "lenet5", k)
    lim = {"infer_b1_us": 25, "infer_batch_per_s": 50000, "train_mb1_per_s": 10000, "train_mb32_per_s": 12000}
    for k, label, d in KEYS:
        v = n5(k)
        if v is not None:
            chk(f"native lenet5 {label} {'<=' if d == 'low' else '>='} {lim[k]:,}", fmt(v, d == "low"),
                v <= lim[k] if d == "low" else v >= lim[k])
        v = n98(k)
        if v is not None:
            l98 = lim[k] * 1.3 if d == "low" else lim[k] / 1.3
            chk(f"native lenet5-1998 {label} within 1.3x ({'<=' if d == 'low' else '>='} {l98:,.0f})", fmt(v, d == "low"),
                v <= l98 if d == "low" else v >= l98)
    if w5("infer_b1_us") is not None:
        chk("wasm lenet5 batch-1 inference <= 60 us", fmt(w5("infer_b1_us"), True), w5("infer_b1_us") <= 60)
        chk("wasm lenet5 per-sample SGD >= 5,000 digits/s", fmt(w5("train_mb1_per_s"), False), w5("train_mb1_per_s") >= 5000)
    need = {"infer_b1_us": 3, "infer_batch_per_s": 1.5, "train_mb1_per_s": 3, "train_mb32_per_s": 3}
    for k, label, d in KEYS:
        r = next((o for o in ours if o["who"] == "lenet5 native" and o["arch"] == "lenet5"), None)
        x = ratio(r, k, d) if r else None
        if x is not None:
            per = round_ratios(rounds_of, k, d)
            extra = f" (rounds: {', '.join(f'{v:.1f}x' for v in per)})" if len(per) > 1 else ""
            chk(f"native lenet5 {label} >= {need[k]}x the best peer ({best[k][1]})", f"{x:.1f}x{extra}", x >= need[k])
    if checks:
        print()
        print("Targets:")
        print()
        for desc, v, ok in checks:
            print(f"- [{'x' if ok else ' '}] {desc}: {v}{'' if ok else '  (NOT MET)'}")


def round_ratios(rounds_of, k, d):
    """native lenet5's ratio to the best peer of its own round (the lines' "round" tags), for each round
    in which both ours and a peer have the figure (a peer that failed in one round is left out of it)."""
    out = []
    for r in rounds_of.get(("who", "lenet5 native", "lenet5"), []):
        if r.get(k) is None or "round" not in r:
            continue
        vals = [p[k] for key, v in rounds_of.items() if key[0] == "peer"
                for p in v if p.get("round") == r["round"] and p.get(k) is not None]
        if not vals:
            continue
        b = min(vals) if d == "low" else max(vals)
        out.append(b / r[k] if d == "low" else r[k] / b)
    return out


if __name__ == "__main__":
    main()
