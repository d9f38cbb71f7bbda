"""The verdict must be able to fail: three DPO runs on the bundled model, judged on the same held-out pairs by
the same judge (a reward model trained on the training split of the real sample pairs):

- "demo": the DPO demo preset as it is;
- "frozen": the same at learning_rate 1e-9, where the weights cannot move;
- "swapped": trained on the sample pairs with chosen and rejected swapped, judged on the real pairs.

Expected: improved / no clear change / regressed. Each run is an ordinary run (a child process); the base's
answers are generated once for all three. Runs already finished in --runs-dir are reused.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/verdict_can_fail.py [--steps 40] [--runs-dir DIR]
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

PAIRS = ROOT / "presets" / "data" / "dpo_helpful_pairs.jsonl"
EXPECTED = {"demo": "improved", "frozen": "no clear change", "swapped": "regressed"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=None, help="max_steps (default: the demo preset's)")
    parser.add_argument("--runs-dir", default=None)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "verdict_can_fail.json"))
    args = parser.parse_args(argv)

    from studio.evaluation.verdict import evaluate_run, judge_reward_model, summary_line
    from studio.training.runner import Runner, warm_up
    from studio.training.runs import RunFolder, read_jsonl, write_jsonl
    from studio.training.spec import load_spec

    runs_dir = Path(args.runs_dir or tempfile.mkdtemp(prefix="verdict-can-fail-"))
    runs_dir.mkdir(parents=True, exist_ok=True)
    swapped = runs_dir / "swapped_pairs.jsonl"
    write_jsonl(swapped, [{**r, "chosen": r["rejected"], "rejected": r["chosen"]} for r in read_jsonl(PAIRS)])
    overrides = {"max_steps": args.steps} if args.steps else {}
    # The swapped run is judged afterwards, on the real pairs: its own end-of-run verdict is skipped.
    variants = {"demo": {}, "frozen": {"learning_rate": 1e-9},
                "swapped": {"dataset": str(swapped), "verdict_judge": "none"}}
    warm_up()
    runner = Runner(runs_dir, adopt=False)
    folders = {}
    for name, extra in variants.items():
        if RunFolder(runs_dir / name).state == "finished":  # kept from an earlier call with this --runs-dir
            folders[name] = RunFolder(runs_dir / name)
            continue
        if RunFolder(runs_dir / name).is_run():
            RunFolder(runs_dir / name).delete()
        spec = load_spec(ROOT / "presets" / "demo" / "dpo.yaml", {**overrides, **extra})
        live = runner.start(spec, run_dir=runs_dir / name)
        runner.wait()
        print(f"{name}: {live.state}: {live.message}", flush=True)
        folders[name] = RunFolder(live.run_dir)
    demo = folders["demo"]
    judge = judge_reward_model(demo, demo.values(), train=False)  # the demo's verdict trained it on the real pairs
    real_holdout = demo.read_holdout()
    results = {}
    for name, folder in folders.items():
        if name == "swapped":  # judged on the real pairs, by the judge of the real pairs
            _, summary = evaluate_run(folder.path, rows=real_holdout, judge=f"reward-model:{judge}", write=False)
        else:
            summary = folder.read_summary()
        results[name] = {"verdict": summary.get("verdict"), "expected": EXPECTED[name],
                         "win_rate": summary.get("win_rate"), "ci": [summary.get("ci_low"), summary.get("ci_high")],
                         "wins_ties_losses": [summary.get("wins"), summary.get("ties"), summary.get("losses")],
                         "prefers_chosen": [summary.get("preference", {}).get("before"),
                                            summary.get("preference", {}).get("after")],
                         "length_change_tokens": summary.get("lengths", {}).get("change_tokens"),
                         "kl_per_answer": summary.get("kl_per_answer"), "line": summary_line(summary)}
        print(f"{name:8s} {results[name]['line']}", flush=True)
    report = {"runs_dir": str(runs_dir), "judge": judge, "results": results,
              "all_as_expected": all(r["verdict"] == r["expected"] for r in results.values())}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}; as expected: {report['all_as_expected']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
