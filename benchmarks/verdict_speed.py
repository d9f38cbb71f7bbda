"""Time to a verdict: both models answering the held-out prompts one at a time (as the verdict did) vs in
left-padded batches (as it does now), side by side in one process on the same run, and whether greedy answers
are the same. Then the second evaluation of a run with the same base, prompts and decoding, where the base's
answers come from the cache.

A short DPO run on the bundled model is trained first (its adapter is what "aligned" means here).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/verdict_speed.py [--prompts 32] [--tokens 64] [--batch 8]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1 / 3  # batched time at most a third of one-at-a-time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--run", help="an existing run folder to use instead of training one")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "verdict_speed.json"))
    args = parser.parse_args(argv)

    from studio.evaluation.generate import ComparePair, DecodeSettings
    from studio.evaluation.verdict import evaluate_run, prompt_of
    from studio.training.execute import open_run, run
    from studio.training.runs import RunFolder, read_jsonl
    from studio.training.spec import load_spec

    if args.run:
        folder = RunFolder(args.run)
    else:
        folder = RunFolder(Path(tempfile.mkdtemp(prefix="verdict-speed-")) / "dpo")
        spec = load_spec(ROOT / "presets" / "demo" / "dpo.yaml", {"max_steps": 10, "holdout_rows": args.prompts,
                                                                  "verdict_judge": "none"})
        open_run(folder, spec)
        state = run(folder, spec)
        print(f"trained {folder.path}: {state.state}", flush=True)
    rows = read_jsonl(folder.holdout)[: args.prompts]
    prompts = [prompt_of(r) for r in rows]
    settings = DecodeSettings(max_new_tokens=args.tokens)
    pair = ComparePair(folder.path)
    pair.generate("warm up", DecodeSettings(max_new_tokens=2), True)

    started = time.perf_counter()
    single = {side: [pair.generate(p, settings, side) for p in prompts] for side in (False, True)}
    one_at_a_time = time.perf_counter() - started
    started = time.perf_counter()
    batched = {side: [a.text for a in pair.answers(prompts, settings, side, batch_size=args.batch)]
               for side in (False, True)}
    in_batches = time.perf_counter() - started
    same = sum(single[s][i] == batched[s][i] for s in (False, True) for i in range(len(prompts)))

    # A whole evaluation twice: the second one takes the base's answers from the cache.
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        evaluate_run(folder.path, rows=[{"prompt": p} for p in prompts], settings=settings, judge="none",
                     pair=pair, write=False)
        timings.append(time.perf_counter() - started)

    report = {"prompts": len(prompts), "new_tokens": args.tokens, "batch_size": args.batch,
              "one_at_a_time_s": round(one_at_a_time, 2), "batched_s": round(in_batches, 2),
              "ratio_batched_over_single": round(in_batches / one_at_a_time, 3), "target_ratio_max": TARGET_RATIO,
              "same_greedy_answers": f"{same}/{2 * len(prompts)}",
              "evaluation_first_s": round(timings[0], 2), "evaluation_with_cached_base_s": round(timings[1], 2)}
    report["meets_target"] = report["ratio_batched_over_single"] <= TARGET_RATIO
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
