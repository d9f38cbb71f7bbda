"""How far "Will it fit?" is off: the planner's estimate of peak memory and time per step, before and after a probe,
against a measured run, over the demo presets on the bundled model.

For each preset (presets/demo/<method>.yaml), in a fresh runs folder of its own (so no earlier correction helps):

1. estimate before the probe (`planner.estimate`, this machine, nothing measured yet);
2. the probe: `planner.run_probe`, PROBE steps through the runner (a child process, like every run), which
   stores this machine's correction for the model family, method and mode;
3. estimate again (corrected by the probe);
4. the measured run: the same config for MEASURED steps on all the data, through the runner (the run's own
   measurement: status.json `measured_peak_mb`, the training process's peak RSS at the end of training, and
   `measured_step_s`, the median time of the steps after the two warm-up steps).

Both runs keep no held-out rows (no verdict afterwards) and save no checkpoints, so what is measured is training.
Reported per method: estimate / measured for the peak and for the step time, before and after the probe (the
goal: within 25% after the probe and within 2× before it), and the model's uncorrected step time at the throughput
measured at the measured run's own start ("model at start": what the estimate is worth when the load it measured
lasts), with the load average when the probe and the measured run started. Everything here shares the CPU with
whatever else runs on the machine: step times move with that load, which other processes change from one minute
to the next (the estimate's throughput is measured in about a second when it is made).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/planner_error.py [--methods sft,dpo] [--probe-steps 4]
                                                                  [--measured-steps 8] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python benchmarks/planner_error.py` from anywhere imports `studio`

METHODS = ("sft", "dpo", "kto", "orpo", "cpo", "reward", "grpo", "ppo", "rloo")
GOALS = {"after_probe_within": 0.25, "before_probe_within_factor": 2.0}


def ratio(estimate, measured) -> float | None:
    if not isinstance(estimate, (int, float)) or not isinstance(measured, (int, float)) or measured <= 0:
        return None
    return round(float(estimate) / float(measured), 3)


def within_after(value) -> bool:
    return value is not None and abs(value - 1) <= GOALS["after_probe_within"]


def within_before(value) -> bool:
    factor = GOALS["before_probe_within_factor"]
    return value is not None and 1 / factor <= value <= factor


def bench_method(method: str, probe_steps: int, measured_steps: int, base: Path, model: str | None) -> dict:
    from studio import planner
    from studio.training.runner import Runner
    from studio.training.spec import load_spec, preset_path

    overrides = {"model_name_or_path": model} if model else {}
    spec = load_spec(preset_path(method), overrides)
    runs_dir = base / method
    runs_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    before = planner.estimate(spec, runs_dir=runs_dir, suggest=False)
    load_probe = _load()
    probe = planner.run_probe(spec, runs_dir, steps=probe_steps, log=lambda line: print(f"  {line}", flush=True))
    after = planner.estimate(spec, runs_dir=runs_dir, suggest=False)
    runner = Runner(runs_dir, adopt=False)
    live = runner.start(planner.probe_spec(spec, measured_steps))
    load_measured = _load()
    print(f"  measured run {live.run_id}: {measured_steps} steps…", flush=True)
    planner.wait_for_run(runner, live, timeout=3600)
    measured = planner.run_measurement(live.run_dir)
    if live.state != "finished":
        raise RuntimeError(f"{method}: the measured run {live.state}: {live.message}")
    peak, step = measured["measured_peak_mb"], measured["measured_step_s"]
    result = {
        "method": method, "model": spec.model_name, "mode": before.mode, "device": before.device.machine_id,
        "measured": {"peak_mb": peak, "step_s": step, "steps": measured["steps"], "run": measured["run"],
                     "step_times_s": _intervals(live.run_dir), "load_average_at_start": load_measured},
        "probe": {"peak_mb": probe["measured_peak_mb"], "step_s": probe["measured_step_s"], "run": probe["run"],
                  "steps": probe["steps"], "step_times_s": _intervals(probe["run_dir"]),
                  "load_average_at_start": load_probe},
        "before": {"peak_mb": round(before.measurable_peak / planner.MB, 1), "step_s": round(before.step_s, 3),
                   "components_mb": {k: round(v / planner.MB, 1) for k, v in before.components.items() if v},
                   "throughput_gflops": round(before.device.flops / 1e9, 1)},
        "after": {"peak_mb": round(after.measurable_peak / planner.MB, 1), "step_s": round(after.step_s, 3),
                  "correction": after.correction, "throughput_gflops": round(after.device.flops / 1e9, 1)},
        # the measured run's own estimate at its start (in its process, corrected by the probe), and the model's
        # step time uncorrected, at the throughput measured then: how good the model is when the load it met at
        # the start lasts
        "at_start": {"peak_mb": measured["estimated_peak_mb"], "step_s": measured["estimated_step_s"]},
        "model_at_start": {"step_s": measured["uncorrected_step_s"]},
        "seconds": round(time.time() - started, 1),
    }
    for when in ("before", "after", "at_start"):
        result[when]["peak_ratio"] = ratio(result[when]["peak_mb"], peak)
        result[when]["step_ratio"] = ratio(result[when]["step_s"], step)
    result["model_at_start"]["step_ratio"] = ratio(result["model_at_start"]["step_s"], step)
    return result


def _load() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def _intervals(run_dir) -> list:
    """Each logged step's seconds (the first step holds the loading and is not among them)."""
    from studio import planner
    from studio.training.runs import RunFolder

    return [[step, round(seconds, 2)] for step, seconds in planner.step_intervals(RunFolder(run_dir).read_metrics())]


def table(results: list[dict]) -> list[str]:
    head = ["method", "measured peak MB", "before", "after", "measured s/step", "before", "after", "model at start",
            "probe s/step", "load probe → run"]
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["method"], "failed: " + r["error"][:60]] + [""] * (len(head) - 2))
            continue
        rows.append([r["method"], f"{r['measured']['peak_mb']:.0f}", _r(r["before"]["peak_ratio"]),
                     _r(r["after"]["peak_ratio"]), _s(r["measured"]["step_s"]), _r(r["before"]["step_ratio"]),
                     _r(r["after"]["step_ratio"]), _r(r["model_at_start"]["step_ratio"]), _s(r["probe"]["step_s"]),
                     f"{r['probe']['load_average_at_start']} → {r['measured']['load_average_at_start']}"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    return ["  ".join(c.ljust(w) for c, w in zip(cells, widths)) for cells in [head, *rows]]


def _r(value) -> str:
    return f"×{value:.2f}" if value is not None else "—"


def _s(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "—"


def summary(results: list[dict]) -> dict:
    done = [r for r in results if "error" not in r]
    out = {}
    for quantity in ("peak_ratio", "step_ratio"):
        before = [r["before"][quantity] for r in done]
        after = [r["after"][quantity] for r in done]
        out[quantity] = {
            "before_worst": max(before, key=lambda v: abs(v - 1) if v else 0, default=None),
            "after_worst": max(after, key=lambda v: abs(v - 1) if v else 0, default=None),
            "before_within_2x": sum(within_before(v) for v in before),
            "after_within_25pct": sum(within_after(v) for v in after),
            "methods": len(done)}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--probe-steps", type=int, default=4, help="steps of the probe (the first two warm up)")
    parser.add_argument("--measured-steps", type=int, default=8)
    parser.add_argument("--model", help="model name, hub id or folder (default: each preset's, the bundled model)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "planner_error.json"))
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    base = Path(tempfile.mkdtemp(prefix="planner-error-"))
    results = []
    started = time.time()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    for method in methods:
        print(f"{method}…", flush=True)
        try:
            results.append(bench_method(method, args.probe_steps, args.measured_steps, base, args.model))
        except Exception as exc:  # one method failing still reports the others
            results.append({"method": method, "error": f"{type(exc).__name__}: {exc}"})
        print("\n".join(table(results[-1:])[1:]), flush=True)
    lines = table(results)
    report = {"benchmark": "planner_error", "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "arguments": vars(args), "goals": GOALS, "machine": {"platform": platform.platform(),
                                                                   "cpus": os.cpu_count(),
                                                                   "load_average_at_start": load_before,
                                                                   "load_average_at_end": os.getloadavg()[0]
                                                                   if hasattr(os, "getloadavg") else None},
              "seconds": round(time.time() - started, 1), "summary": summary(results), "results": results,
              "table": lines}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    print()
    print("\n".join(lines))
    print(f"ratios are estimate / measured; goals: after the probe within 25%, before it within 2×. "
          f"({report['seconds']:.0f} s; load average {load_before} → {report['machine']['load_average_at_end']})")
    print(f"wrote {args.out}")
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
