"""Headless CLI over the same calls the UI makes.

    python -m studio validate PATH [--json]
    python -m studio recommend PATH [--answer KEY=VALUE ...] [--json]
    python -m studio train CONFIG.yaml [--set KEY=VALUE ...] [--output-dir DIR] [--allow-custom-code]
    python -m studio train --resume RUN_DIR
    python -m studio runs [--runs-dir DIR] [--json]
    python -m studio launch CONFIG.yaml --out DIR [--strategy ddp|zero1|zero2|zero3|fsdp] [--num-processes N]

Exit codes: 0 success (warnings allowed), 1 data errors or a failed run, 2 unreadable input or bad
arguments, 130 stopped with Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _validate(args) -> int:
    from .data import inspect_dataset

    try:
        report, _ = inspect_dataset(args.path)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=1, ensure_ascii=False, default=str))
    else:
        from .data.formats import SHAPE_LABELS

        print(f"{report.source}: {report.rows} rows, {report.file_format}, columns {report.columns}")
        style = "conversational" if report.conversational else "standard"
        print(f"shape: {report.shape} ({style}) — {SHAPE_LABELS.get(report.shape, 'unknown')}")
        if report.conversion_note:
            print(f"note: {report.conversion_note}")
        for finding in report.findings:
            print(f"  {finding.describe()}")
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s): "
              f"{'usable' if report.usable else 'fix the errors before training'}")
    return 0 if report.usable else 1


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


def _train(args) -> int:
    from .training.runner import Runner
    from .training.spec import load_spec, parse_overrides

    if bool(args.config) == bool(args.resume):
        print("error: give a CONFIG to start a run, or --resume RUN_DIR to continue one (not both).", file=sys.stderr)
        return 2
    try:
        spec = load_spec(args.config, parse_overrides(args.set)) if args.config else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.allow_custom_code:
        import os

        from .methods.rewards import CUSTOM_CODE_ENV

        os.environ[CUSTOM_CODE_ENV] = "1"
    runner = Runner()

    def echo(record: dict) -> None:
        shown = {k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in record.items() if k != "time"}
        print(json.dumps(shown), flush=True)

    try:
        if args.resume:
            live = runner.resume(args.resume, echo=echo)
        else:
            live = runner.start(spec, run_dir=Path(args.output_dir) if args.output_dir else None, echo=echo)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"run folder: {live.run_dir}", flush=True)
    try:
        while runner.wait(timeout=0.5).active:
            pass
    except KeyboardInterrupt:
        print("stopping after the current step (Ctrl-C again to abort without saving)…", file=sys.stderr, flush=True)
        runner.stop()
        runner.wait()
        print(f"{live.state}: {live.message}", file=sys.stderr)
        return 130
    print(f"{live.state}: {live.message}", flush=True)
    return {"finished": 0, "stopped": 130}.get(live.state, 1)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio", description="Alignment Studio, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a dataset file and report its shape and problems")
    p.add_argument("path")
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
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
