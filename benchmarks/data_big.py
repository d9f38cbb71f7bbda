"""Big files: the studio's validation of a large JSONL of preference pairs vs reading it with pandas or `datasets`.

Generates a JSONL of preference pairs (prompt, chosen, rejected of realistic lengths, with a few duplicates,
identical pairs and empty answers planted so the checks have something to find and skip) of about --mb
megabytes, then runs, each in its own fresh subprocess and side by side in one run:

- studio:   `python -m studio validate PATH --json` as a call (`studio.__main__.main`): every row streamed
            through load → map → convert → check, no row kept (bounded memory), the report printed; a file of
            128 MB or more is checked in one part per core (studio/data/parts.py), the same report
- studio-one: the same, held to one process (STUDIO_VALIDATION_PARTS=1), side by side
- pandas:   `pandas.read_json(PATH, lines=True)`
- datasets: `datasets.load_dataset("json", data_files=PATH, split="train")` into a fresh cache folder (so it
            parses and writes its Arrow file, as training would read it)

With --training, two more variants prepare the rows a DPO run on the bundled model's tokenizer trains on
(validation, 30 held-out rows, the method's row preparation), side by side:

- train-mapped: `studio.methods.common.memory_mapped_rows`, the path files of 256 MB or more take: rows go to
                a memory-mapped Arrow file in the run folder;
- train-lists:  the in-memory path small files take (`load_training_rows` + `Dataset.from_list`).

Reported per variant: seconds of the call alone (imports excluded) and of the whole child process, and the
child's peak RSS (ru_maxrss, imports included: what the process needs; for the studio also with its own
children's, the largest counted once per child) with its RSS before the call, and its
peak heap (RssAnon, sampled every 0.1 s: RSS also counts the pages of memory-mapped files, which the kernel
drops under pressure). Then the
ratios against the goal: studio time ≤ 1.5× the faster of pandas and datasets, studio peak (with its
children) ≤ 1/4 of pandas' peak. Results go to benchmarks/results/data_big.json.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/data_big.py                 # about 300 MB, a few minutes
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/data_big.py --mb 2048       # the 2 GB file of the issue
    .venv/bin/python benchmarks/data_big.py --mb 50 --out /tmp/db.json       # a quick smoke test

`--keep FILE` writes (or reuses, when it exists with the asked size) the generated file there instead of a
temporary folder. pandas needs several times the file's size in memory: at 2 GB, run it where 16 GB are free,
or pass `--skip pandas`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIME_GOAL = 1.5  # studio seconds ≤ this × the faster reader's
MEMORY_GOAL = 0.25  # studio peak RSS ≤ this × pandas' peak
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.validation_speed import WORDS  # noqa: E402 (the same word list as the 100k-row benchmark)
from studio.data.parts import PARTS_ENV, parts_for  # noqa: E402

CHILD = r"""
import io, json, os, resource, sys, time, contextlib
variant, path, root, cache = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, root)
def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
if variant == "pandas":
    import pandas as pd
    def call():
        return {"rows": len(pd.read_json(path, lines=True))}
elif variant == "datasets":
    import datasets
    datasets.disable_progress_bars()
    def call():
        return {"rows": len(datasets.load_dataset("json", data_files=path, split="train", cache_dir=cache))}
elif variant.startswith("train-"):
    from pathlib import Path
    from studio.methods import get_method
    from studio.methods.common import load_training_rows, memory_mapped_rows, split_holdout
    from studio.models import load_tokenizer, resolve_model
    from studio.training.runs import RunFolder
    from studio.training.spec import spec_from_dict
    import datasets
    datasets.disable_progress_bars()
    spec = spec_from_dict({"method": "dpo", "dataset": path, "model_name_or_path": "SmolLM2-135M-Instruct",
                           "holdout_rows": 30})
    method, tokenizer = get_method("dpo"), load_tokenizer(resolve_model(spec.model_name))
    folder = RunFolder(Path(cache) / "run")
    folder.path.mkdir(parents=True, exist_ok=True)
    def call():
        if variant == "train-mapped":
            _, dataset, held, skipped, _ = memory_mapped_rows(spec, folder, method, tokenizer, log=lambda _: None)
        else:
            report, rows, skipped = load_training_rows(spec, method.shapes, with_skipped=True)
            rows, held = split_holdout(rows, 30, 42)
            dataset = datasets.Dataset.from_list(method.prepare_rows(rows, report, tokenizer))
        return {"training_rows": len(dataset), "held_out": len(held), "skipped_rows": len(skipped)}
else:
    from studio.__main__ import main
    import studio.data.validation, studio.data.hub, studio.methods.registry  # imported by the call anyway
    def call():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["validate", path, "--json"])
        data = json.loads(out.getvalue())
        return {"rows": data["rows"], "exit": code, "training_rows": data["training_rows"],
                "skipped_rows": data["skipped_rows"], "errors": len(data["errors"]),
                "warnings": len(data["warnings"]), "usable": data["usable"]}
def anon_mb():  # memory the process owns (heap), not pages of files it maps, which the kernel can drop
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return float("nan")
import threading
anon_peak = [anon_mb()]
done = threading.Event()
def sample():
    while not done.wait(0.1):
        anon_peak[0] = max(anon_peak[0], anon_mb())
threading.Thread(target=sample, daemon=True).start()
before = rss_mb()
start = time.perf_counter()
result = call()
seconds = time.perf_counter() - start
done.set()
anon_peak[0] = max(anon_peak[0], anon_mb())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child (parts.py)
print(json.dumps({"seconds": seconds, "result": result, "rss_before_mb": before, "peak_rss_mb": peak,
                  "peak_anon_mb": anon_peak[0], "child_peak_rss_mb": children}))
"""


def make_file(path: Path, megabytes: float, seed: int = 0) -> dict:
    """Pairs until the file holds `megabytes` MB; sentences come from a pool so a 2 GB file takes minutes."""
    rng = random.Random(seed)

    def sentence(low: int, high: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."

    prompts = [sentence(8, 30) for _ in range(4000)]
    answers = [sentence(20, 80) for _ in range(4000)] + [sentence(5, 60) for _ in range(4000)]
    target = int(megabytes * 2**20)
    planted = {"duplicates": 0, "identical_pairs": 0, "empty_rejected": 0}
    written = rows = 0
    recent: list[str] = []
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            i = rows
            if i and i % 1000 == 0 and recent:
                line = recent[rng.randrange(len(recent))]  # an exact duplicate of an earlier row
                planted["duplicates"] += 1
            else:
                chosen = f"{rng.choice(answers)} {rng.choice(answers)}"
                row = {"prompt": f"{rng.choice(prompts)} (#{i})", "chosen": chosen, "rejected": rng.choice(answers)}
                if i % 5000 == 1:
                    row["rejected"] = row["chosen"]
                    planted["identical_pairs"] += 1
                elif i % 5000 == 2:
                    row["rejected"] = ""
                    planted["empty_rejected"] += 1
                line = json.dumps(row, ensure_ascii=False) + "\n"
                if len(recent) < 1000:
                    recent.append(line)
            handle.write(line)
            written += len(line.encode("utf-8"))
            rows += 1
    return {"rows": rows, **planted}


def run_child(variant: str, path: Path, cache: Path, timeout: float) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PYTHONHASHSEED": "0",
           "HF_DATASETS_CACHE": str(cache)}
    env.pop(PARTS_ENV, None)
    if variant == "studio-one":  # the same validation held to one process
        env[PARTS_ENV] = "1"
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, variant, str(path), str(ROOT), str(cache)],
                         capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=300, help="size of the generated file in MB (default 300)")
    parser.add_argument("--keep", help="write (or reuse) the generated file here instead of a temporary folder")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["studio-one", "pandas", "datasets", "train-lists"],
                        help="leave a reader out (pandas needs several times the file in memory)")
    parser.add_argument("--training", action="store_true",
                        help="also prepare a DPO run's training rows, memory-mapped and as lists")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per child")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "data_big.json"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="data-big-") as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "pairs.jsonl"
        meta_path = path.with_name(path.name + ".meta.json")
        started = time.perf_counter()
        if args.keep and path.exists() and meta_path.exists() and \
                json.loads(meta_path.read_text())["mb"] == args.mb:
            planted = json.loads(meta_path.read_text())["planted"]
            print(f"reusing {path}")
        else:
            planted = make_file(path, args.mb)
            if args.keep:
                meta_path.write_text(json.dumps({"mb": args.mb, "planted": planted}))
        size_mb = path.stat().st_size / 2**20
        print(f"file: {planted['rows']:,} pairs, {size_mb:,.0f} MB (made in {time.perf_counter() - started:.0f} s; "
              f"planted {planted['duplicates']} duplicates, {planted['identical_pairs']} identical pairs, "
              f"{planted['empty_rejected']} empty answers)")
        results = {}
        variants = ("studio", "studio-one", "pandas", "datasets") + (
            ("train-mapped", "train-lists") if args.training else ())
        for variant in variants:
            if variant in args.skip:
                continue
            cache = Path(tmp) / f"cache-{variant}"
            cache.mkdir()
            results[variant] = run_child(variant, path, cache, args.timeout)
            r = results[variant]
            print(f"  {variant:<9} {r['seconds']:8.1f} s call  {r['process_seconds']:8.1f} s process  "
                  f"peak RSS {r['peak_rss_mb']:8,.0f} MB (before the call {r['rss_before_mb']:,.0f} MB; heap peak "
                  f"{r.get('peak_anon_mb', 0):,.0f} MB)  "
                  f"→ {r['result']}")

    readers = [results[v]["seconds"] for v in ("pandas", "datasets") if v in results]
    time_ratio = results["studio"]["seconds"] / min(readers) if readers else None
    parts = parts_for(path, int(size_mb * 2**20))
    for r in results.values():  # the parent and its children (parts.py: parts - 1 of them) together
        r["peak_rss_total_mb"] = r["peak_rss_mb"] + (r.get("child_peak_rss_mb") or 0) * (parts - 1)
    studio_total = results["studio"]["peak_rss_total_mb"]
    memory_ratio = studio_total / results["pandas"]["peak_rss_mb"] if "pandas" in results else None
    record = {
        "benchmark": "data_big",
        "file_mb": round(size_mb, 1),
        "rows": planted["rows"],
        "planted_problems": {k: v for k, v in planted.items() if k != "rows"},
        "variants": {v: {"seconds": round(r["seconds"], 2), "process_seconds": round(r["process_seconds"], 2),
                         "peak_rss_mb": round(r["peak_rss_mb"], 1), "rss_before_call_mb": round(r["rss_before_mb"], 1),
                         "peak_anon_mb": round(r.get("peak_anon_mb", float("nan")), 1),
                         "peak_rss_with_children_mb": round(r["peak_rss_total_mb"], 1),
                         "result": r["result"]} for v, r in results.items()},
        "validation_parts": parts,
        "time_ratio_studio_over_fastest_reader": round(time_ratio, 3) if time_ratio is not None else None,
        "time_ratio_parts_over_one_process": (round(results["studio"]["seconds"] / results["studio-one"]["seconds"], 3)
                                              if "studio-one" in results else None),
        "time_goal_max": TIME_GOAL,
        "meets_time_goal": time_ratio is not None and time_ratio <= TIME_GOAL,
        "memory_ratio_studio_over_pandas": round(memory_ratio, 3) if memory_ratio is not None else None,
        "memory_goal_max": MEMORY_GOAL,
        "meets_memory_goal": memory_ratio is not None and memory_ratio <= MEMORY_GOAL,
        "training_memory_ratio_mapped_over_lists": (
            round(results["train-mapped"]["peak_anon_mb"] / results["train-lists"]["peak_anon_mb"], 3)
            if "train-mapped" in results and "train-lists" in results else None),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print()
    print(f"{'variant':<12} {'call s':>8} {'process s':>10} {'peak RSS MB':>12} {'with children':>14}")
    for variant, data in record["variants"].items():
        print(f"{variant:<12} {data['seconds']:>8.1f} {data['process_seconds']:>10.1f} {data['peak_rss_mb']:>12,.0f} "
              f"{data['peak_rss_with_children_mb']:>14,.0f}")
    if time_ratio is not None:
        fastest = min((v for v in ("pandas", "datasets") if v in results), key=lambda v: results[v]["seconds"])
        print(f"time: studio / {fastest} = {time_ratio:.2f}× (goal ≤ {TIME_GOAL}×): "
              f"{'ok' if time_ratio <= TIME_GOAL else 'OVER'}")
    if memory_ratio is not None:
        print(f"memory: studio (with its children) / pandas = {memory_ratio:.3f} (goal ≤ {MEMORY_GOAL}): "
              f"{'ok' if memory_ratio <= MEMORY_GOAL else 'OVER'}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0 if record["meets_time_goal"] and record["meets_memory_goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
