"""Time from Start to the first metric on the curve: runs as child processes vs the thread runner they replaced.

Variants, each in a fresh process of its own, alternating, the same preset and model:
- "thread": the runner before runs became processes: `execute.run` in a thread of the server, whose process
  had torch, transformers and TRL imported already (the app imported them at start, as the old one did);
- "fork": the runner today, its fork server warmed up when the app started (`runner.warm_up`);
- "fork-cold": the runner's first run when nothing warmed the fork server up (it imports the libraries then);
- "spawn": a plain `python -m studio train …` child (STUDIO_CHILD_START=spawn): every import paid per run.

Measured: seconds from the Start call to the first metrics line (step 1 logged), as the page's tick sees it.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/start_latency.py [--preset presets/demo/dpo.yaml] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VARIANTS = ("thread", "fork", "fork-cold", "spawn")
TARGET_S = 3.0  # the child runner may be at most this much slower to the first metric than the thread runner


def child(variant: str, preset: str, model: str | None, out: Path) -> None:
    """One Start in this fresh process; writes {"first_metric_s", ...} to `out`."""
    if variant == "spawn":
        os.environ["STUDIO_CHILD_START"] = "spawn"
    from studio.training.spec import load_spec

    overrides = {"max_steps": 3, "holdout_rows": 0, **({"model_name_or_path": model} if model else {})}
    spec = load_spec(preset, overrides)
    from studio.models import resolve_model

    resolve_model(spec.model_name)  # the bundled model is converted once, before any timing
    runs = Path(tempfile.mkdtemp(prefix=f"start-{variant}-"))
    if variant == "thread":
        import threading

        import trl  # noqa: F401  (the server had TRL and its configs imported)

        from studio.methods import METHODS
        from studio.training.execute import open_run, run
        from studio.training.runs import RunFolder

        for method in METHODS.values():
            method.config_class()
        folder = RunFolder(runs / "run")
        started = time.perf_counter()
        open_run(folder, spec)
        thread = threading.Thread(target=run, args=(folder, spec), daemon=True)
        thread.start()
        reader = folder.reader()
        while not reader.read_new():
            time.sleep(0.02)
        first = time.perf_counter() - started
        thread.join()
    else:
        from studio.training.runner import Runner, warm_up

        if variant == "fork":
            warm_up()
        runner = Runner(runs)
        started = time.perf_counter()
        live = runner.start(spec)
        while not live.metrics and live.active:
            time.sleep(0.02)
        first = time.perf_counter() - started
        runner.wait(600)
        if live.state != "finished":
            raise SystemExit(f"{variant}: the run ended {live.state}: {live.message}")
    out.write_text(json.dumps({"variant": variant, "first_metric_s": round(first, 3)}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default=str(ROOT / "presets" / "demo" / "dpo.yaml"))
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "start_latency.json"))
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.preset, args.model, Path(args.result))
        return 0
    results: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for round_ in range(args.repeats):
        for variant in VARIANTS:
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
                result = Path(handle.name)
            command = [sys.executable, __file__, "--child", variant, "--preset", args.preset, "--result", str(result)]
            if args.model:
                command += ["--model", args.model]
            subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
            seconds = json.loads(result.read_text())["first_metric_s"]
            results[variant].append(seconds)
            print(f"round {round_ + 1} {variant:<9} first metric after {seconds:.2f} s", flush=True)
    summary = {v: {"median_s": statistics.median(s), "all_s": s} for v, s in results.items()}
    slower = summary["fork"]["median_s"] - summary["thread"]["median_s"]
    report = {"preset": args.preset, "model": args.model, "repeats": args.repeats, "summary": summary,
              "fork_minus_thread_s": round(slower, 3), "target_max_s": TARGET_S, "meets_target": slower <= TARGET_S}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print("\nmedian first metric: " + ", ".join(f"{v} {summary[v]['median_s']:.2f} s" for v in VARIANTS))
    print(f"fork − thread: {slower:+.2f} s (target ≤ {TARGET_S:.0f} s) → wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
