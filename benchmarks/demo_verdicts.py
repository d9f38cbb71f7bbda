"""What the demos show under the verdict, on the bundled model (the figures the README states):

- GRPO: the demo preset on several seeds; held-out exact match of base and aligned, and the verdict (goal: at
  least +20 points over the base on every seed);
- RLHF: the one-click pipeline (a reward model on presets/data/rlhf_concise_pairs.jsonl, then PPO against it),
  judged by that reward model on held-out prompts (goal: improved), with the answer that changed most.

Each run is an ordinary run (a child process) in its own folder under --runs-dir.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/demo_verdicts.py [--only grpo|rlhf] [--seeds 42,7,2026]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "demo_verdicts.json"


def _summary(folder) -> dict:
    from studio.evaluation.verdict import summary_line

    summary = folder.read_summary() or {}
    status = folder.read_status()
    took = (status.get("finished_at") or 0) - (status.get("started_at") or 0)
    return {"run": folder.name, "state": status.get("state"), "verdict": summary.get("verdict"),
            "win_rate": summary.get("win_rate"), "ci": [summary.get("ci_low"), summary.get("ci_high")],
            "base_accuracy": summary.get("base_accuracy"), "aligned_accuracy": summary.get("aligned_accuracy"),
            "length_change_tokens": (summary.get("lengths") or {}).get("change_tokens"),
            "cut_off": summary.get("cut_off"), "seconds": round(took, 1), "line": summary_line(summary)}


def _most_changed(folder) -> dict | None:
    """The held-out prompt whose answer the reward model now scores highest above the base's."""
    from studio.training.runs import read_jsonl

    rows = [r for r in read_jsonl(folder.path / "eval.jsonl") if r.get("base") != r.get("aligned")
            and r.get("aligned_score") is not None and r.get("base_score") is not None]
    if not rows:
        return None
    best = max(rows, key=lambda r: r["aligned_score"] - r["base_score"])
    return {k: best.get(k) for k in ("prompt", "base", "aligned", "base_score", "aligned_score")}


def grpo(runner, runs_dir: Path, seeds: list[int], steps: int | None) -> list[dict]:
    from studio.training.runs import RunFolder
    from studio.training.spec import load_spec, preset_path

    out = []
    for seed in seeds:
        overrides = {"seed": seed, **({"max_steps": steps} if steps else {})}
        live = runner.start(load_spec(preset_path("grpo"), overrides), run_dir=runs_dir / f"grpo-seed{seed}")
        runner.wait()
        result = _summary(RunFolder(live.run_dir))
        base, aligned = result["base_accuracy"], result["aligned_accuracy"]
        result["seed"] = seed
        result["points"] = round(100 * (aligned - base), 1) if base is not None and aligned is not None else None
        print(f"grpo seed {seed}: {result['line']} ({result['seconds']:.0f} s)", flush=True)
        out.append(result)
    return out


def rlhf(runner, runs_dir: Path, reward_steps: int | None, ppo_steps: int | None) -> dict:
    from studio.training.pipeline import DEMO_PAIRS, rlhf_specs, submit_rlhf
    from studio.training.runs import RunFolder

    reward, ppo = rlhf_specs(str(DEMO_PAIRS), reward_overrides={"max_steps": reward_steps} if reward_steps else None,
                             ppo_overrides={"max_steps": ppo_steps} if ppo_steps else None)
    first, second = submit_rlhf(runner, reward, ppo)
    runner.wait_all(timeout=3 * 3600)
    stages = {}
    for name, ticket in (("reward", first), ("ppo", second)):
        if ticket.live is None:
            stages[name] = {"state": ticket.state, "message": ticket.message}
            continue
        folder = RunFolder(ticket.live.run_dir)
        stages[name] = _summary(folder)
        print(f"rlhf {name}: {stages[name]['line']} ({stages[name]['seconds']:.0f} s)", flush=True)
    if second.live is not None:
        stages["changed_answer"] = _most_changed(RunFolder(second.live.run_dir))
    return stages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("grpo", "rlhf"))
    parser.add_argument("--seeds", default="42,7,2026")
    parser.add_argument("--grpo-steps", type=int, default=None, help="max_steps (default: the preset's)")
    parser.add_argument("--reward-steps", type=int, default=None)
    parser.add_argument("--ppo-steps", type=int, default=None)
    parser.add_argument("--runs-dir", default=None)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)

    from studio.training.runner import Runner, warm_up

    runs_dir = Path(args.runs_dir or tempfile.mkdtemp(prefix="demo-verdicts-"))
    runs_dir.mkdir(parents=True, exist_ok=True)
    warm_up()
    runner = Runner(runs_dir, adopt=False)
    out = Path(args.out)
    report = json.loads(out.read_text()) if out.is_file() else {}
    report["runs_dir"] = str(runs_dir)
    if args.only in (None, "grpo"):
        runs = grpo(runner, runs_dir, [int(s) for s in args.seeds.split(",")], args.grpo_steps)
        report["grpo"] = {"runs": runs, "min_points": min((r["points"] for r in runs if r["points"] is not None),
                                                          default=None),
                          "goal_points": 20}
        report["grpo"]["meets_goal"] = report["grpo"]["min_points"] is not None and \
            report["grpo"]["min_points"] >= 20
    if args.only in (None, "rlhf"):
        report["rlhf"] = rlhf(runner, runs_dir, args.reward_steps, args.ppo_steps)
        report["rlhf"]["meets_goal"] = (report["rlhf"].get("ppo") or {}).get("verdict") == "improved"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
