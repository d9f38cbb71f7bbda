"""Validation throughput: `inspect_dataset` (every check but tokenization) vs just reading the file with pandas.

Generates a preference JSONL (default 100,000 rows: prompt, chosen, rejected of realistic lengths, with a few
duplicates and problems sprinkled in so the checks have something to find) in a temp dir, then times, each in
its own fresh subprocess, alternating for --repeats rounds:

- pandas:  `pandas.read_json(path, lines=True)`
- studio:  `studio.data.inspect_dataset(path)` (load → map → convert → detect → check → report)

Reported: median seconds of the call alone (imports excluded), rows/s, the studio/pandas ratio (target ≤ 3),
and peak RSS of each child (ru_maxrss) with its RSS before the call, so the memory the call itself needs
shows. Results go to benchmarks/results/validation_speed.json.

    .venv/bin/python benchmarks/validation_speed.py [--rows 100000] [--repeats 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0
WORDS = ("the a of to and in is it you that he was for on are with as his they be at one have this from or had "
         "by hot word but what some we can out other were all there when up use your how said an each she which "
         "do their time if will way about many then them write would like so these her long make thing see him "
         "two has look more day could go come did number sound no most people my over know water than call "
         "first who may down side been now find").split()

CHILD = r"""
import json, os, resource, sys, time
variant, path = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
if variant == "pandas":
    import pandas as pd
    call = lambda: len(pd.read_json(path, lines=True))
else:
    from studio.data import inspect_dataset
    import studio.data.hub, studio.data.mapping, studio.data.checks  # imported by the call anyway
    def call():
        report, rows = inspect_dataset(path)
        return report.rows, len(report.errors), len(report.warnings)
before = rss_mb()
start = time.perf_counter()
result = call()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "result": result, "rss_before_mb": before, "peak_rss_mb": peak}))
"""


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def make_file(path: Path, rows: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    problems = {"duplicates": 0, "identical_pairs": 0, "empty_rejected": 0}
    written = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(rows):
            if i and i % 1000 == 0:
                row = written[rng.randrange(len(written))]  # an exact duplicate of an earlier row
                problems["duplicates"] += 1
            else:
                row = {"prompt": f"{sentence(rng, 8, 30)} (#{i})", "chosen": sentence(rng, 20, 80),
                       "rejected": sentence(rng, 5, 60)}
                if i % 5000 == 1:
                    row["rejected"] = row["chosen"]
                    problems["identical_pairs"] += 1
                elif i % 5000 == 2:
                    row["rejected"] = ""
                    problems["empty_rejected"] += 1
                if len(written) < 5000:
                    written.append(row)
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return problems


def run_child(variant: str, path: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONHASHSEED": "0"}
    out = subprocess.run([sys.executable, "-c", CHILD, variant, str(path), str(ROOT)], capture_output=True, text=True,
                         env=env, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "validation_speed.json"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="validation-speed-") as tmp:
        path = Path(tmp) / "preference.jsonl"
        started = time.perf_counter()
        problems = make_file(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        print(f"wrote {args.rows:,} rows, {size_mb:.1f} MB in {time.perf_counter() - started:.1f} s "
              f"(planted: {problems})")
        runs: dict[str, list[dict]] = {"pandas": [], "studio": []}
        for round_ in range(args.repeats):
            for variant in ("pandas", "studio"):
                result = run_child(variant, path)
                runs[variant].append(result)
                print(f"  round {round_ + 1} {variant:<7} {result['seconds']:.3f} s  "
                      f"peak RSS {result['peak_rss_mb']:.0f} MB"
                      f"  → {result['result']}")

    summary = {}
    for variant, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        summary[variant] = {
            "seconds_median": round(seconds, 4),
            "seconds_all": [round(r["seconds"], 4) for r in results],
            "rows_per_second": round(args.rows / seconds),
            "peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in results), 1),
            "rss_before_call_mb": round(statistics.median(r["rss_before_mb"] for r in results), 1),
        }
    ratio = summary["studio"]["seconds_median"] / summary["pandas"]["seconds_median"]
    studio_result = runs["studio"][0]["result"]
    record = {
        "benchmark": "validation_speed",
        "rows": args.rows,
        "file_mb": round(size_mb, 2),
        "planted_problems": problems,
        "studio_found": {"rows": studio_result[0], "errors": studio_result[1], "warnings": studio_result[2]},
        "variants": summary,
        "ratio_studio_over_pandas": round(ratio, 3),
        "target_ratio_max": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print()
    print(f"{'variant':<8} {'median s':>9} {'rows/s':>10} {'peak RSS MB':>12} {'RSS before MB':>14}")
    for variant, data in summary.items():
        print(f"{variant:<8} {data['seconds_median']:>9.3f} {data['rows_per_second']:>10,} "
              f"{data['peak_rss_mb']:>12.0f} "
              f"{data['rss_before_call_mb']:>14.0f}")
    print(f"studio / pandas = {ratio:.2f}× (target ≤ {TARGET_RATIO:.0f}×): {'ok' if ratio <= TARGET_RATIO else 'OVER'}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
