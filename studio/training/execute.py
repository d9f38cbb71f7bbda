"""One run, trained in this process: the body of `python -m studio train`, which the runner starts as a child
process for every run (and of a ZeroGPU call, and of each process under `accelerate launch`).

Everything goes through the run folder (training/runs.py): status.json and metrics.jsonl out, stop.request in.
A Python failure becomes the `failed` state with one plain sentence (the traceback goes to train.log); a
stop request, Ctrl-C, SIGTERM or the run's time budget stop it after the current step with a checkpoint.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..redact import RedactingFilter, redact_text
from .runs import RunFolder, RunView, process_started, read_jsonl

_LOGGERS = ("transformers", "trl", "peft", "studio")
CHILD_ENV = "STUDIO_CHILD"  # set for processes the runner starts: their output goes to train.log
DEADLINE_ENV = "STUDIO_RUN_DEADLINE"  # a time budget (epoch seconds): stop with a checkpoint then
SECRETS_ENV = "STUDIO_RUN_SECRETS"  # JSON of config values kept out of config.yaml (tokens), for this run only


@dataclass
class RunState(RunView):
    """This process's view of the run it trains: what the trainer callback updates and the CLI prints."""

    error: str = ""  # set by the health checks when they halt the run
    stop_event: threading.Event = field(default_factory=threading.Event)
    budget_spent: bool = False


def open_run(folder: RunFolder, spec, owner: str = "", max_steps: int | None = None) -> dict:
    """Write a new run's config.yaml and first status ("starting"); the training process takes it from there."""
    folder.path.mkdir(parents=True, exist_ok=True)
    folder.config.write_text(spec.to_yaml(), encoding="utf-8")
    folder.clear_stop()
    return folder.write_status(state="starting", step=0,
                               max_steps=spec.training.get("max_steps", -1) if max_steps is None else max_steps,
                               method=spec.method, model=spec.model_name, dataset=spec.dataset,
                               started_at=time.time(), owner=owner, pid=None, message="")


def spec_secrets(spec) -> dict:
    """The token-like config values of `spec` (config.yaml holds them redacted)."""
    from ..redact import is_secret

    values = {**spec.model, **spec.extras, **spec.training}
    return {k: v for k, v in values.items() if is_secret(k, v)}


def with_secrets(spec):
    """`spec` with the values the runner passed privately (SECRETS_ENV) put back."""
    raw = os.environ.get(SECRETS_ENV)
    if raw:
        for key, value in json.loads(raw).items():
            target = spec.model if key in spec.model else spec.extras if key in spec.extras else spec.training
            target[key] = value
    return spec


def run(folder: RunFolder, spec, resume: bool = False, echo=None, stop_event: threading.Event | None = None,
        deadline: float | None = None) -> RunState:
    """Train (and evaluate) `spec` into `folder` in this process; returns the final state. Never raises for a
    failure of the run itself: that is the `failed` state."""
    status = folder.read_status()
    state = RunState(folder=folder, method=spec.method, model=spec.model_name, deadline=deadline,
                     stop_event=stop_event or threading.Event())
    if deadline is None and os.environ.get(DEADLINE_ENV):
        state.deadline = float(os.environ[DEADLINE_ENV])
    # Metric times count from the run's start (or from this resume), as the server's view shows them.
    state.started_at = (time.time() if resume else status.get("started_at")) or time.time()
    state.step = status.get("step", 0) if resume else 0
    folder.write_status(state="running", pid=os.getpid(), pid_started=process_started(os.getpid()), message="",
                        **({"resumed_at": state.started_at} if resume else {}))
    done = threading.Event()

    def watch_stop_file():
        while not done.wait(0.3):
            if folder.stop_requested():
                state.stop_event.set()
                return

    threading.Thread(target=watch_stop_file, name="stop-file", daemon=True).start()
    try:
        _train(state, spec, echo, resume)
    finally:
        done.set()
    return state


def _train(state: RunState, spec, echo=None, resume: bool = False) -> None:
    folder = state.folder
    handler = logging.FileHandler(folder.log, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())  # no token in train.log, no unbounded line
    log = logging.getLogger("studio.run")
    for name in _LOGGERS:
        logging.getLogger(name).addHandler(handler)
    log.setLevel(logging.INFO)
    callback = None
    try:
        from ..methods import get_method
        from ..methods.common import prepare
        from .metrics import StudioCallback

        method = get_method(spec.method)
        callback = StudioCallback(state, echo=echo)
        if state.stop_event.is_set() or folder.stop_requested():
            raise _Stopped()
        from .. import planner

        if not resume:  # the estimate beside what the run will measure (planner.py; never fails the run)
            planner.record_estimate(folder, spec, log=log.info)
        ctx = prepare(spec, folder, [callback], method, log=log.info)
        from .. import trackers

        for command in trackers.open_commands(trackers.of(spec), folder.path):
            log.info("also logged for a tracker; to look: %s", command)
        if state.stop_event.is_set():
            raise _Stopped()
        trainer = method.build_trainer(ctx)
        from transformers import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # our callback already reports every log line
        checkpoint = folder.last_checkpoint() if resume else None
        log.info("training %s for %s steps%s", spec.method, ctx.args.max_steps,
                 f", resuming from {checkpoint}" if checkpoint else "")
        trainer.train(resume_from_checkpoint=checkpoint)
        planner.record_measurement(folder, spec, log=log.info)  # training's peak and step time, before the verdict
        trainer.save_model(str(folder.adapter))
        ctx.tokenizer.save_pretrained(str(folder.adapter))
        stopped = state.stop_event.is_set()
        if state.error:
            state.state, state.message = "failed", state.error
        elif state.budget_spent:
            budget = state.deadline - state.started_at if state.deadline else 0
            budget_text = f"{budget:.0f} seconds" if budget < 120 else f"{budget / 60:.0f} minutes"
            state.state = "stopped"
            state.message = (f"stopped: a run on this shared studio may train for {budget_text}; the adapter and a "
                             "checkpoint were saved, so it can be compared or resumed")
        elif stopped:
            state.state, state.message = "stopped", "stopped by request; the adapter was saved"
        else:
            state.message = "finished; the adapter was saved"
            del trainer, ctx  # free the training copy before the evaluation loads the model again
            gc.collect()
            shutil.rmtree(folder.rows_cache, ignore_errors=True)  # a big file's Arrow copy: no resume needs it now
            state.message = _evaluate(state, log)
            state.state = "finished"
        log.info(state.message)
    except _Stopped:
        state.state, state.message = "stopped", "stopped before training began"
    except Exception as exc:  # any failure is a state of the run, never a crash of the app
        state.state = "failed"
        state.message = plain_failure(exc)
        log.error("run failed: %s\n%s", state.message, traceback.format_exc())
    finally:
        if callback is not None:
            callback.close()
        folder.write_status(state=state.state, step=state.step, max_steps=state.max_steps, message=state.message,
                            finished_at=time.time(), **peak_memory())
        for name in _LOGGERS:
            logging.getLogger(name).removeHandler(handler)
        handler.close()


def peak_memory() -> dict:
    """This process's peak memory so far: resident set (MB) and, on a GPU, the most PyTorch allocated (MB)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    measured = {"peak_rss_mb": round(peak / (2**20 if sys.platform == "darwin" else 1024), 1)}
    try:
        import torch

        if torch.cuda.is_available() and torch.cuda.is_initialized():
            measured["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    except Exception:  # no torch, or no usable GPU: the RSS is the measure
        pass
    return measured


def _evaluate(state: RunState, log) -> str:
    """The end-of-run verdict on the held-out rows; a failure here never fails the run."""
    if not state.folder.holdout.is_file() and not state.folder.values().get("verdict_rows"):
        return "finished; the adapter was saved"
    state.message = "finished training; evaluating base vs aligned on the held-out rows…"
    state.folder.write_status(message=state.message)
    try:
        from ..evaluation.verdict import evaluate_run, summary_line

        config = state.folder.values()
        rows = None
        if config.get("verdict_rows"):  # judged on rows given for it (an arena's shared held-out rows)
            from ..training.spec import resolve_path

            rows = read_jsonl(resolve_path(str(config["verdict_rows"])))
        _, summary = evaluate_run(state.folder.path, rows=rows, judge=str(config.get("verdict_judge") or "auto"),
                                  deadline=state.deadline, log=log.info)
        return f"finished; {summary_line(summary)}"
    except Exception as exc:
        log.error("evaluation failed: %s\n%s", exc, traceback.format_exc())
        return f"finished; the adapter was saved, but the evaluation failed ({plain_failure(exc)})"


class _Stopped(Exception):
    pass


def plain_failure(exc: Exception) -> str:
    """One sentence a user can act on; the traceback goes to train.log."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = redact_text(text)[:1000]
    if "num_samples=0" in text:  # the trainer dropped every row (TRL filters rows longer than max_length)
        return ("No training rows were left: every row is longer than max_length (the trainer drops those). "
                "Raise max_length, or use shorter rows.")
    if isinstance(exc, ValueError):
        return text
    if "out of memory" in text.lower() or isinstance(exc, MemoryError):
        return ("Out of memory. Try a smaller batch size, a shorter max_length, LoRA instead of full "
                "fine-tuning, or 4-bit loading.")
    return f"{type(exc).__name__}: {text} (details in train.log)"


def quiet_child_output() -> None:
    """In a process the runner started, stdout and stderr are the run's train.log: no progress bars there, and
    transformers' records reach it once (through the run's log handler)."""
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_default_handler()
        hf_logging.disable_progress_bar()
        import datasets

        datasets.disable_progress_bars()
    except ImportError:  # pragma: no cover
        pass


@contextlib.contextmanager
def stop_on_signals(stop, message: str):
    """While inside: the first Ctrl-C/SIGTERM calls `stop()` (stop after the current step, with a checkpoint);
    a second one exits at once. Yields a list that holds the signal once one came.

    Our own handler, not KeyboardInterrupt: it works even where the shell started us with SIGINT ignored, and
    the trainer never unwinds mid-step."""
    interrupted: list[int] = []

    def on_signal(signum, frame):
        if interrupted:
            print("second interrupt: aborting without saving.", file=sys.stderr, flush=True)
            os._exit(130)
        interrupted.append(signum)
        print(message, file=sys.stderr, flush=True)
        stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield interrupted
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def train_command(config: str | None = None, resume: str | None = None, overrides: list[str] = (),
                  output_dir: str | None = None, allow_custom_code: bool = False, echo=None) -> int:
    """`python -m studio train CONFIG [--set K=V …] [--output-dir RUN]` or `… train --resume RUN`: train one run
    in this process, print its folder and how it ended; exit codes 0 finished, 1 failed, 2 bad input, 130
    stopped by Ctrl-C. A process the runner started (CHILD_ENV) trains into the folder the runner prepared,
    prints no metric lines (its output is train.log) and takes its private config values from the runner."""
    from .runs import default_runs_dir

    if bool(config) == bool(resume):
        print("error: give a CONFIG to start a run, or --resume RUN_DIR to continue one (not both).", file=sys.stderr)
        return 2
    child = os.environ.get(CHILD_ENV) == "1"
    scoped = {}  # what this command sets in its own process's environment, for as long as it runs
    if not child and "TRACKIO_DIR" not in os.environ:  # trackio fixes its folder when TRL first imports it
        from .. import trackers

        runs_dir = Path(resume).parent if resume else Path(output_dir).parent if output_dir else default_runs_dir()
        scoped["TRACKIO_DIR"] = str(trackers.trackio_dir(runs_dir))
    if allow_custom_code:
        from ..methods.rewards import CUSTOM_CODE_ENV

        scoped[CUSTOM_CODE_ENV] = "1"
    with _environment(scoped):  # a caller in the same process (a test, a notebook) keeps its own environment
        return _train_command(config, resume, overrides, output_dir, echo, child)


@contextlib.contextmanager
def _environment(values: dict):
    """Set `values` in os.environ for the block; afterwards each is back as it was (or unset)."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _train_command(config, resume, overrides, output_dir, echo, child: bool) -> int:
    from .runs import default_runs_dir, new_run_dir
    from .spec import load_spec, parse_overrides

    try:
        if resume:
            folder = RunFolder(resume)
            if not folder.is_run():
                raise ValueError(f"{folder.path} is not a run folder (no status.json).")
            state = folder.read_status().get("state")
            if state not in ("stopped", "failed", "interrupted") and not (child and state == "starting"):
                raise ValueError(f"run {folder.name} is {state}; only stopped, failed or interrupted runs can be "
                                 "resumed.")
            if folder.last_checkpoint() is None:
                raise ValueError(f"run {folder.name} has no checkpoint to resume from; start it again instead.")
            spec = load_spec(folder.config, parse_overrides(list(overrides)))
        else:
            spec = load_spec(config, parse_overrides(list(overrides)))
            out = Path(output_dir) if output_dir else None
            folder = RunFolder(out or new_run_dir(default_runs_dir(), spec.method))
            prepared = child and folder.read_status().get("state") == "starting" and \
                Path(config).resolve() == folder.config.resolve()  # the runner wrote it for this process
            if folder.is_run() and not prepared:
                raise ValueError(f"{folder.path} already holds a run; pick a new output folder, or resume that run "
                                 f"with --resume {folder.path}.")
        if not child:
            from .. import trackers

            trackers.check(trackers.of(spec))  # a tracker that can't work: one sentence, before anything starts
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if child:
        quiet_child_output()
    else:
        if not resume:
            open_run(folder, spec)
        else:
            folder.clear_stop()
    spec = with_secrets(spec)
    print(f"run folder: {folder.path}", flush=True)
    stop = threading.Event()
    with stop_on_signals(stop.set, "stopping after the current step (Ctrl-C again to abort without saving)…") \
            as interrupted:
        state = run(folder, spec, resume=bool(resume), echo=None if child else echo, stop_event=stop)
    print(f"{state.state}: {state.message}", file=sys.stderr if interrupted else sys.stdout, flush=True)
    if interrupted and state.state == "stopped":
        return 130
    return {"finished": 0, "stopped": 130}.get(state.state, 1)
