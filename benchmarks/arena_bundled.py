"""The whole arena on the sample pairs with the bundled model, headless, timed end to end (issue 14's goal: SFT,
DPO, KTO, ORPO and reward model + PPO within 25 minutes on a 2-core CPU, with verdicts that differ where the
methods differ).

It runs exactly what a user runs, `python -m studio arena presets/data/dpo_helpful_pairs.jsonl --json`, as a child
process, and adds up where the time went (the judge's reward model, each method's run, from the run folders'
status files). Results go to benchmarks/results/arena_bundled.json.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/arena_bundled.py [--methods sft,dpo,kto,orpo,ppo] [--holdout 30]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "arena_bundled.json"
PAIRS = ROOT / "presets" / "data" / "dpo_helpful_pairs.jsonl"


def _stages(arena: dict, runs_dir: Path) -> list[dict]:
    """Each run of the arena (the judge and PPO's reward model too) with its state and seconds."""
    from studio.training.runs import RunFolder

    stages = []
    for entry in arena["entries"]:
        status = RunFolder(runs_dir / entry["run"]).read_status()
        took = (status.get("finished_at") or 0) - (status.get("started_at") or 0)
        stages.append({"run": entry["run"], "label": entry["label"], "state": status.get("state"),
                       "seconds": round(took, 1)})
    return stages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", default="sft,dpo,kto,orpo,ppo")
    parser.add_argument("--holdout", type=int, default=30)
    parser.add_argument("--budget", type=int)
    parser.add_argument("--runs-dir", help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args(argv)
    runs_dir = Path(args.runs_dir or tempfile.mkdtemp(prefix="arena-bench-"))
    command = [sys.executable, "-m", "studio", "arena", str(PAIRS), "--methods", args.methods,
               "--holdout", str(args.holdout), "--runs-dir", str(runs_dir), "--json"]
    if args.budget:
        command += ["--budget", str(args.budget)]
    print(" ".join(command), flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    total = time.perf_counter() - started
    if done.returncode not in (0, 1):
        print(done.stderr[-3000:], file=sys.stderr)
        return done.returncode
    data = json.loads(done.stdout)
    stages = _stages(data["arena"], runs_dir)
    rows = [{k: row.get(k) for k in ("method", "state", "verdict", "win_rate", "ci_low", "ci_high", "wins", "ties",
                                     "losses", "wall_s", "peak_rss_mb", "tokens_per_s", "base_prefers_chosen",
                                     "prefers_chosen",
                                     "length_change", "kl")} for row in data["rows"]]
    result = {"command": " ".join(command[1:]), "total_seconds": round(total, 1), "total_minutes": round(total / 60, 1),
              "goal_minutes": 25, "within_goal": total <= 25 * 60, "cpus": os.cpu_count(),
              "stages": stages, "rows": rows, "sentence": data.get("sentence"), "runs_dir": str(runs_dir)}
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"whole arena: {total / 60:.1f} min (goal 25), exit {done.returncode}")
    for stage in stages:
        print(f"  {stage['label']:<40} {stage['state'] or '?':<10} {stage['seconds']:>7.1f} s")
    for row in rows:
        print(f"  {row['method']:<8} {row['verdict'] or row['state']:<16} win {row['win_rate']} "
              f"[{row['ci_low']}, {row['ci_high']}]")
    print(data.get("sentence"))
    print(f"→ {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
