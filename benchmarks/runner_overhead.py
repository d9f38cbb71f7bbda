"""Studio runner vs a bare TRL script: the same DPO config, model and rows, side by side.

Variant "studio" is what the UI does: `load_spec(preset, overrides)` → `Runner().start(spec)` (the fork server
warmed up first, as the app does at start), which trains in a child process; this process plays the server,
polling `runner.current.snapshot()` and `list(live.metrics)` once a second like the Train tab's tick and
sampling its own RSS. The training process's peak RSS is what it records in status.json when it ends.
Variant "bare" is what a TRL user writes by hand: AutoTokenizer/AutoModelForCausalLM, the same rows, DPOConfig
with the fields the studio sets (every field where `build_config`'s result differs from TRL's defaults),
LoraConfig, DPOTrainer(...).train().

Each run is its own fresh subprocess (so peak RSS compares), alternating studio/bare for --repeats rounds.
Throughput is the trainer's own `train_runtime` (the train() call only: no imports, loading or saving).
Before anything runs, the bare DPOConfig and LoraConfig are diffed against what the studio builds
(`studio.methods.common.build_config` / `build_peft_config`), so the two variants can't drift apart silently.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/runner_overhead.py [--model DIR] [--steps 20] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python benchmarks/runner_overhead.py` from anywhere imports `studio`

VARIANTS = ("studio", "bare")
TARGETS = {"throughput_ratio_min": 0.97, "peak_rss_ratio_max": 1.05, "server_rss_growth_mb_max": 50}
# Fields that name the run's folders, so they differ between the two variants by construction.
PATH_FIELDS = {"output_dir", "logging_dir"}


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


# ───────────────────────────── parent: plan, spawn, summarise ─────────────────────────────

def make_plan(args, work: Path) -> dict:
    """Resolve everything once, so both children get the same model folder, rows and settings."""
    from studio.data import inspect_dataset
    from studio.methods import get_method
    from studio.methods.common import build_config, build_peft_config
    from studio.models import load_tokenizer, placement, resolve_model
    from studio.training.runs import RunFolder
    from studio.training.spec import load_spec

    # No held-out rows: the end-of-run verdict (which the bare script has no counterpart of) stays out of it.
    overrides = {"max_steps": args.steps, "holdout_rows": 0}
    if args.model:
        overrides["model_name_or_path"] = args.model
    if args.max_length:
        overrides["max_length"] = args.max_length
    preset = Path(args.preset)
    if not preset.exists() and (ROOT / preset).exists():
        preset = ROOT / preset  # the default works from any working directory
    spec = load_spec(preset, overrides)
    if spec.method != "dpo":
        raise SystemExit(f"{args.preset}: this benchmark compares DPO runs; the preset's method is {spec.method}.")
    method = get_method(spec.method)
    path = resolve_model(spec.model_name)  # converts/downloads once here, so neither child pays for it
    where = placement()

    # The rows exactly as the studio hands them to the trainer (after keeping its held-out rows aside, so both
    # variants train on the same rows in the same order); the bare script reads them from a JSON file.
    from studio.methods.common import split_holdout

    report, rows = inspect_dataset(spec.dataset_path())
    rows, _ = split_holdout(rows, spec.holdout_rows, spec.training.get("seed", 42))
    rows = method.prepare_rows(rows, report, load_tokenizer(path))
    rows_file = work / "rows.json"
    rows_file.write_text(json.dumps(rows), encoding="utf-8")

    from peft import LoraConfig
    from trl import DPOConfig

    # What a TRL user would type: every DPOConfig field where the studio's config differs from TRL's defaults
    # (the preset's fields, plus logging_steps, gradient_checkpointing, save_*, use_cpu, bf16, report_to,
    # disable_tqdm, … as `build_config` sets them today), so the bare script follows the studio when it changes.
    # The precision fields are always written out: TRL's bf16 default fails on a CPU.
    precision = where.trainer_kwargs()
    studio_args = build_config(method, spec, RunFolder(work / "check"), where).to_dict()
    trl_defaults = DPOConfig(output_dir=str(work / "defaults"), **precision).to_dict()
    dpo_kwargs = {k: v for k, v in studio_args.items() if k not in PATH_FIELDS and v != trl_defaults.get(k)}
    dpo_kwargs.update(precision)
    model = spec.model
    lora_kwargs = None
    if model.get("use_peft", True):
        lora_kwargs = {"task_type": "CAUSAL_LM", "r": model["lora_r"], "lora_alpha": model["lora_alpha"],
                       "lora_dropout": model["lora_dropout"], "target_modules": model["lora_target_modules"],
                       "bias": "none"}

    bare_args = DPOConfig(output_dir=str(work / "check-bare"), **dpo_kwargs).to_dict()
    studio_peft = build_peft_config(spec, method)
    bare_peft = LoraConfig(**lora_kwargs) if lora_kwargs else None
    mismatches = {k: {"studio": studio_args.get(k), "bare": bare_args.get(k)}
                  for k in sorted(set(studio_args) | set(bare_args))
                  if k not in PATH_FIELDS and studio_args.get(k) != bare_args.get(k)}
    peft_dicts = [p.to_dict() if p is not None else None for p in (studio_peft, bare_peft)]
    if peft_dicts[0] != peft_dicts[1]:
        mismatches["peft_config"] = {"studio": peft_dicts[0], "bare": peft_dicts[1]}

    return {
        "preset": str(preset), "overrides": overrides, "model_name": spec.model_name, "model_path": str(path),
        "device": where.device, "dtype": where.dtype, "rows_file": str(rows_file), "rows": len(rows),
        "dpo_kwargs": dpo_kwargs, "lora_kwargs": lora_kwargs, "poll_interval": args.poll_interval,
        "poll_figure": args.poll_figure, "config_mismatches": mismatches,
    }


def spawn(variant: str, plan_file: Path, work: Path, index: int, timeout: float) -> dict:
    result_file = work / f"result-{index}-{variant}.json"
    log_file = work / f"log-{index}-{variant}.txt"
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    command = [sys.executable, str(Path(__file__).resolve()), "--child", variant, "--plan", str(plan_file),
               "--result", str(result_file), "--workdir", str(work / f"{index}-{variant}")]
    started = time.perf_counter()
    with open(log_file, "w", encoding="utf-8") as log:
        code = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout).returncode
    wall = time.perf_counter() - started
    if code != 0 or not result_file.is_file():
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise SystemExit(f"{variant} run {index} failed (exit code {code}); the end of its output:\n{tail}")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    result.update(variant=variant, repeat=index, process_wall_s=round(wall, 3))
    return result


def summarise(runs: list[dict], steps: int, with_figure: bool) -> dict:
    summary = {}
    for variant in VARIANTS:
        mine = [r for r in runs if r["variant"] == variant]
        runtime = statistics.median(r["train_runtime"] for r in mine)
        summary[variant] = {
            "runs": len(mine),
            "steps": mine[0]["steps"],
            "train_runtime_s_median": round(runtime, 3),
            "train_runtime_s_all": [r["train_runtime"] for r in mine],
            "steps_per_s": round(mine[0]["steps"] / runtime, 4),
            "peak_rss_mb_median": round(statistics.median(r["peak_rss_mb"] for r in mine), 1),
            "peak_rss_mb_all": [r["peak_rss_mb"] for r in mine],
            "process_wall_s_median": round(statistics.median(r["process_wall_s"] for r in mine), 2),
            "train_loss": [r.get("train_loss") for r in mine],
        }
    studio, bare = summary["studio"], summary["bare"]
    throughput = studio["steps_per_s"] / bare["steps_per_s"]
    memory = studio["peak_rss_mb_median"] / bare["peak_rss_mb_median"]
    growth = max(r["server_max_rss_mb"] - r["server_idle_rss_mb"] for r in runs if r["variant"] == "studio")
    summary["ratios"] = {"throughput_studio_over_bare": round(throughput, 4),
                         "peak_rss_studio_over_bare": round(memory, 4)}
    summary["server_rss_growth_mb_max"] = round(growth, 1)
    summary["meets_targets"] = {"throughput": throughput >= TARGETS["throughput_ratio_min"],
                                "peak_rss": memory <= TARGETS["peak_rss_ratio_max"],
                                "server_rss": growth <= TARGETS["server_rss_growth_mb_max"]}
    polls = [p for r in runs if r["variant"] == "studio" for p in r["poll_ms"]]
    lags = [lag for r in runs if r["variant"] == "studio" for lag in r["lag_s"]]
    summary["ui_poll"] = {
        "with_figure": with_figure, "polls_while_training": len(polls), "poll_ms_p50": _round(percentile(polls, 50), 3),
        "poll_ms_p95": _round(percentile(polls, 95), 3), "poll_ms_max": _round(max(polls, default=None), 3),
        "metrics_seen": len(lags), "lag_s_p50": _round(percentile(lags, 50), 3),
        "lag_s_p95": _round(percentile(lags, 95), 3), "lag_s_max": _round(max(lags, default=None), 3),
    }
    if any(r["steps"] != steps for r in runs):
        summary["warning"] = "some runs did not train the requested number of steps"
    return summary


def _round(value, digits):
    return None if value is None else round(value, digits)


def table(summary: dict) -> str:
    studio, bare, ratios, ui = summary["studio"], summary["bare"], summary["ratios"], summary["ui_poll"]
    ok = summary["meets_targets"]
    rows = [("", "studio", "bare", "studio/bare", "target"),
            ("train seconds (median)", f"{studio['train_runtime_s_median']:.2f}",
             f"{bare['train_runtime_s_median']:.2f}", "", ""),
            ("steps/s", f"{studio['steps_per_s']:.3f}", f"{bare['steps_per_s']:.3f}",
             f"{ratios['throughput_studio_over_bare']:.3f}",
             f">= {TARGETS['throughput_ratio_min']} {'ok' if ok['throughput'] else 'MISSED'}"),
            ("peak RSS MB (median)", f"{studio['peak_rss_mb_median']:.0f}", f"{bare['peak_rss_mb_median']:.0f}",
             f"{ratios['peak_rss_studio_over_bare']:.3f}",
             f"<= {TARGETS['peak_rss_ratio_max']} {'ok' if ok['peak_rss'] else 'MISSED'}"),
            ("process seconds (median)", f"{studio['process_wall_s_median']:.1f}",
             f"{bare['process_wall_s_median']:.1f}", "", "")]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    fmt = lambda v, unit: "n/a" if v is None else f"{v}{unit}"  # noqa: E731
    what = "snapshot + list(metrics) + figure" if summary["ui_poll"]["with_figure"] else "snapshot + list(metrics)"
    lines.append(f"UI poll while training ({what}): p50 {fmt(ui['poll_ms_p50'], ' ms')}, "
                 f"p95 {fmt(ui['poll_ms_p95'], ' ms')}, max {fmt(ui['poll_ms_max'], ' ms')} "
                 f"over {ui['polls_while_training']} polls")
    lines.append(f"metric → first seen by a poll: p50 {fmt(ui['lag_s_p50'], ' s')}, p95 {fmt(ui['lag_s_p95'], ' s')}, "
                 f"max {fmt(ui['lag_s_max'], ' s')} over {ui['metrics_seen']} metric lines")
    lines.append(f"the server's own RSS while its run trained: at most {summary['server_rss_growth_mb_max']:.0f} MB "
                 f"above idle (target <= {TARGETS['server_rss_growth_mb_max']} MB "
                 f"{'ok' if ok['server_rss'] else 'MISSED'})")
    return "\n".join(lines)


def environment() -> dict:
    import importlib.metadata as md

    versions = {}
    for name in ("torch", "transformers", "trl", "peft", "accelerate", "datasets"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "load_average_at_start": load, "versions": versions}


def main_parent(args) -> int:
    env = environment()
    with tempfile.TemporaryDirectory(prefix="runner-overhead-") as tmp:
        work = Path(tmp)
        plan = make_plan(args, work)
        if plan["config_mismatches"]:
            print("WARNING: the bare script's config differs from the studio's:", file=sys.stderr)
            print(json.dumps(plan["config_mismatches"], indent=1, default=str), file=sys.stderr)
        plan_file = work / "plan.json"
        plan_file.write_text(json.dumps(plan, default=str), encoding="utf-8")
        print(f"model {plan['model_name']} → {plan['model_path']} ({plan['device']}, {plan['dtype']}); "
              f"{plan['rows']} rows; {args.steps} steps; {args.repeats} repeat(s) of studio/bare", flush=True)
        runs = []
        for index in range(args.repeats):
            for variant in VARIANTS:
                result = spawn(variant, plan_file, work, index, args.timeout)
                runs.append(result)
                print(f"  [{index}] {variant:6s} train_runtime {result['train_runtime']:.2f} s, "
                      f"peak RSS {result['peak_rss_mb']:.0f} MB, process {result['process_wall_s']:.1f} s", flush=True)
    summary = summarise(runs, args.steps, args.poll_figure)
    print()
    print(table(summary))
    report = {
        "benchmark": "runner_overhead", "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "arguments": {"preset": args.preset, "model": args.model, "steps": args.steps, "repeats": args.repeats,
                      "max_length": args.max_length, "poll_interval": args.poll_interval,
                      "poll_figure": args.poll_figure},
        "resolved": {k: plan[k] for k in ("model_name", "model_path", "device", "dtype", "rows", "dpo_kwargs",
                                          "lora_kwargs", "config_mismatches")},
        "environment": env, "targets": TARGETS, "summary": summary,
        "runs": [{k: v for k, v in r.items() if k not in ("poll_ms", "lag_s")} for r in runs],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


# ───────────────────────────── children: one training run each ─────────────────────────────

def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_studio(plan: dict, workdir: Path) -> dict:
    from studio.training.runner import Runner, warm_up
    from studio.training.runs import read_metrics, read_status
    from studio.training.spec import load_spec

    figure = None
    if plan["poll_figure"]:
        from studio.ui.curves import figure  # imports gradio and plotly, as the running app has

    spec = load_spec(plan["preset"], plan["overrides"])
    warm_up()  # the app starts its fork server at start; a run then forks from it
    runner = Runner(runs_dir=workdir)
    idle_rss, server_rss = rss_mb(), []
    live = runner.start(spec)
    interval = plan["poll_interval"]
    poll_ms, lag_s, seen, drawn = [], [], 0, -1
    next_tick = time.monotonic() + interval
    while live.active:
        time.sleep(max(0.0, next_tick - time.monotonic()))
        next_tick += interval
        started = time.perf_counter()
        current = runner.current  # what the Train tab's on_tick reads
        snapshot = current.snapshot()
        metrics = list(current.metrics)
        if figure is not None and len(metrics) != drawn:
            figure(metrics, current.method)
            drawn = len(metrics)
        elapsed = time.perf_counter() - started
        now = time.time()
        if snapshot["state"] == "running":
            poll_ms.append(elapsed * 1000)
        for record in metrics[seen:]:
            lag_s.append(now - (current.started_at + record["time"]))
        seen = len(metrics)
        server_rss.append(rss_mb())
    runner.wait()
    if live.state != "finished":
        raise SystemExit(f"the studio run ended {live.state}: {live.message}")
    final = [r for r in read_metrics(live.run_dir) if "train_runtime" in r]
    if not final:
        raise SystemExit("metrics.jsonl has no train_runtime line")
    return {"steps": live.step, "train_runtime": final[-1]["train_runtime"], "train_loss": final[-1].get("train_loss"),
            "poll_ms": poll_ms, "lag_s": lag_s, "training_peak_rss_mb": read_status(live.run_dir).get("peak_rss_mb"),
            "server_idle_rss_mb": round(idle_rss, 1), "server_max_rss_mb": round(max(server_rss, default=idle_rss), 1)}


def child_bare(plan: dict, workdir: Path) -> dict:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOConfig, DPOTrainer

    path = plan["model_path"]
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, plan["dtype"])).to(plan["device"])
    rows = json.loads(Path(plan["rows_file"]).read_text(encoding="utf-8"))
    dataset = Dataset.from_list(rows)
    args = DPOConfig(output_dir=str(workdir / "checkpoints"), **plan["dpo_kwargs"])
    peft_config = LoraConfig(**plan["lora_kwargs"]) if plan["lora_kwargs"] else None
    trainer = DPOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                         peft_config=peft_config)
    output = trainer.train()
    return {"steps": output.global_step, "train_runtime": output.metrics["train_runtime"],
            "train_loss": output.metrics.get("train_loss"), "poll_ms": [], "lag_s": []}


def main_child(args) -> int:
    plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    result = (child_studio if args.child == "studio" else child_bare)(plan, workdir)
    import torch

    # The studio's training happens in its own process, whose peak it recorded; the bare script's is this one.
    result.update(peak_rss_mb=result.pop("training_peak_rss_mb", None) or round(peak_rss_mb(), 1),
                  torch_threads=torch.get_num_threads())
    Path(args.result).write_text(json.dumps(result), encoding="utf-8")
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="presets/demo/dpo.yaml",
                        help="a DPO preset YAML, relative to the working directory or the project root")
    parser.add_argument("--model", default=None, help="model name, hub id or local folder (default: the preset's)")
    parser.add_argument("--steps", type=int, default=20, help="max_steps for every run (default 20)")
    parser.add_argument("--repeats", type=int, default=2, help="rounds of studio then bare (default 2)")
    parser.add_argument("--max-length", type=int, default=None, help="override the preset's max_length")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds between UI polls (default 1)")
    parser.add_argument("--poll-figure", action="store_true",
                        help="also build the Plotly figure on each poll that sees new metrics, as the Train tab's "
                             "tick does (imports gradio and plotly into the studio process)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one run may take (default 3600)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "runner_overhead.json"))
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.steps < 1:
        parser.error("--steps and --repeats must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
