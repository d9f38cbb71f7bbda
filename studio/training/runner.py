"""The runner: one per process, owns the single background training thread.

`Runner.start(spec)` creates the run folder, writes config.yaml and status.json, and trains in a daemon
thread; `stop()` asks the trainer to stop after the current step. The thread never touches the UI: it
writes files and updates its `LiveRun`, which the UI (or the CLI) reads.

`Runner.submit(...)` queues instead of refusing when a run is going (shared mode, and the RLHF pipeline's
second stage): each queued `Ticket` knows its visitor and its position, and the next one starts when the
current run ends, whatever way it ends.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..methods import get_method
from ..redact import RedactingFilter, redact_text
from .runs import RESUMABLE, default_runs_dir, new_run_dir, read_metrics, read_status, reconcile, write_status
from .spec import RunSpec, load_spec

_LOGGERS = ("transformers", "trl", "peft", "studio")


@dataclass
class LiveRun:
    """The process's view of one run: shared between the trainer thread and whoever displays it."""

    run_dir: Path
    method: str
    model: str
    state: str = "starting"
    step: int = 0
    max_steps: int = 0
    started_at: float = field(default_factory=time.time)
    message: str = ""
    error: str = ""  # set by the health checks when they halt the run
    metrics: list[dict] = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)
    owner: str = ""  # in shared mode: the visitor who started it (a hash, never the visitor's id itself)
    dataset: str = ""
    deadline: float | None = None  # shared mode's time budget: the run stops with a checkpoint after this
    budget_spent: bool = False

    @property
    def run_id(self) -> str:
        return self.run_dir.name

    @property
    def active(self) -> bool:
        return self.state in ("starting", "running")

    def snapshot(self) -> dict:
        return {"run_id": self.run_id, "run_dir": str(self.run_dir), "method": self.method, "model": self.model,
                "state": self.state, "step": self.step, "max_steps": self.max_steps,
                "started_at": self.started_at, "elapsed": time.time() - self.started_at, "message": self.message}


@dataclass
class Ticket:
    """A run waiting for its turn. `state`: queued → started (see `live`), or cancelled / skipped / failed
    with a `message` saying why it never started."""

    label: str
    owner: str
    launch: Callable[[], tuple]  # () -> (spec, run_dir, resume), called when its turn comes
    after: "Ticket | None" = None  # a pipeline stage: starts only if that ticket's run finished
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    queued_at: float = field(default_factory=time.time)
    state: str = "queued"
    message: str = ""
    live: LiveRun | None = None
    echo: Callable | None = None  # the CLI's printer of metric lines
    address: str = ""  # shared mode: a hash of the visitor's network address, for the per-address cap
    dataset: str = ""  # the file it will read (kept while it waits)


class Runner:
    def __init__(self, runs_dir: Path | None = None, run_seconds: float | None = None):
        self.runs_dir = Path(runs_dir) if runs_dir else default_runs_dir()
        self.run_seconds = run_seconds  # a time budget per run (shared mode); None: no limit
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self.current: LiveRun | None = None
        self.queue: list[Ticket] = []

    def busy(self) -> bool:
        return self.current is not None and self.current.active

    def busy_message(self) -> str:
        live = self.current
        return (f"busy: run {live.run_id} is at step {live.step}/{live.max_steps or '?'}; "
                "stop it or wait for it to finish.")

    def start(self, spec: RunSpec, run_dir: Path | None = None, echo=None, resume: bool = False,
              owner: str = "") -> LiveRun:
        """Start training `spec` in the background. Raises ValueError when a run is already going."""
        get_method(spec.method)  # unknown method → ValueError before anything is written
        with self._lock:
            if self.busy() or self.queue:
                if not self.busy():
                    raise ValueError(f"busy: {len(self.queue)} run(s) are queued; yours would jump the queue.")
                raise ValueError(self.busy_message())
            return self._start(spec, run_dir, echo, resume, owner)

    def _start(self, spec: RunSpec, run_dir: Path | None, echo, resume: bool, owner: str) -> LiveRun:
        with self._lock:
            if run_dir is None:
                run_dir = new_run_dir(self.runs_dir, spec.method)
            else:
                run_dir = Path(run_dir)
                if not resume and (run_dir / "status.json").exists():
                    raise ValueError(f"{run_dir} already holds a run; pick a new output folder, or resume that "
                                     f"run with --resume {run_dir}.")
                run_dir.mkdir(parents=True, exist_ok=True)
            live = LiveRun(run_dir=run_dir, method=spec.method, model=spec.model_name, owner=owner,
                           dataset=str(spec.dataset))
            if self.run_seconds:
                live.deadline = live.started_at + self.run_seconds
            if resume:
                live.metrics = read_metrics(run_dir)  # the curve keeps its history
                status = read_status(run_dir)
                live.step, live.owner = status.get("step", 0), owner or status.get("owner", "")
                write_status(run_dir, state="running", pid=os.getpid(), resumed_at=live.started_at, message="")
            else:
                (run_dir / "config.yaml").write_text(spec.to_yaml(), encoding="utf-8")
                write_status(run_dir, state="running", step=0, max_steps=spec.training.get("max_steps", -1),
                             method=spec.method, model=spec.model_name, dataset=spec.dataset,
                             started_at=live.started_at, pid=os.getpid(), owner=owner)
            self.current = live
            self._thread = threading.Thread(target=self._train_then_next, args=(live, spec, echo, resume),
                                            name=f"train-{live.run_id}", daemon=True)
            self._thread.start()
            return live

    def _train_then_next(self, live: LiveRun, spec: RunSpec, echo, resume: bool) -> None:
        try:
            if zero_gpu():
                from .zerogpu import train_on_zero_gpu

                train_on_zero_gpu(live, spec, resume)
            else:
                _train(live, spec, echo, resume)
        finally:
            self._dispatch()

    # The queue ----------------------------------------------------------------------------------------

    def submit(self, spec: RunSpec, owner: str = "", label: str = "", after: Ticket | None = None,
               prepare: Callable[[RunSpec, Ticket], None] | None = None, echo=None, address: str = "") -> Ticket:
        """Queue `spec`; it starts now when nothing trains, else when its turn comes. `prepare(spec, ticket)`
        runs just before it starts (a pipeline fills in the previous stage's output there)."""
        get_method(spec.method)

        def launch():
            if prepare is not None:
                prepare(spec, ticket)
            return spec, None, False

        ticket = Ticket(label=label or f"{spec.method} on {Path(str(spec.dataset)).name}", owner=owner,
                        launch=launch, after=after, echo=echo, address=address, dataset=str(spec.dataset))
        return self._enqueue(ticket)

    def submit_resume(self, run_dir: str | Path, owner: str = "", address: str = "") -> Ticket:
        run_dir = Path(run_dir)
        self._check_resumable(run_dir)
        spec = load_spec(run_dir / "config.yaml")
        ticket = Ticket(label=f"resume {run_dir.name}", owner=owner, launch=lambda: (spec, run_dir, True),
                        address=address, dataset=str(spec.dataset))
        return self._enqueue(ticket)

    def _enqueue(self, ticket: Ticket) -> Ticket:
        with self._lock:
            self.queue.append(ticket)
        self._dispatch()
        return ticket

    def _dispatch(self) -> None:
        """Start the first queued ticket when nothing trains; tickets that can't start say why and make way."""
        with self._lock:
            while self.queue and not self.busy():
                ticket = self.queue.pop(0)
                if ticket.after is not None:  # queued after it (FIFO), so it has run and ended, or never started
                    before = ticket.after.live
                    if before is None or before.state != "finished":
                        ticket.state = "skipped"
                        ticket.message = (f"skipped: the stage before it ({ticket.after.label}) ended "
                                          f"{before.state if before else ticket.after.state}, not finished.")
                        continue
                try:
                    spec, run_dir, resume = ticket.launch()
                    ticket.live = self._start(spec, run_dir, ticket.echo, resume, ticket.owner)
                    ticket.state = "started"
                except Exception as exc:  # a bad config never blocks the queue behind it
                    ticket.state, ticket.message = "failed", f"could not start: {plain_failure(exc)}"

    def position(self, ticket_id: str) -> int | None:
        """1 for the next to start; None when the ticket is no longer waiting."""
        with self._lock:
            for index, ticket in enumerate(self.queue):
                if ticket.id == ticket_id:
                    return index + 1
        return None

    def queued(self, owner: str | None = None) -> list[tuple[int, Ticket]]:
        with self._lock:
            return [(i + 1, t) for i, t in enumerate(self.queue) if owner is None or t.owner == owner]

    def cancel_all(self) -> int:
        """Empty the queue (the CLI's Ctrl-C); returns how many waited."""
        with self._lock:
            waiting, self.queue = self.queue, []
        for ticket in waiting:
            ticket.state, ticket.message = "cancelled", "cancelled before it started"
        return len(waiting)

    def cancel(self, ticket_id: str, owner: str = "") -> bool:
        """Take a waiting ticket out of the queue (only its owner's request does)."""
        with self._lock:
            for ticket in self.queue:
                if ticket.id == ticket_id and ticket.owner == owner:
                    self.queue.remove(ticket)
                    ticket.state, ticket.message = "cancelled", "cancelled before it started"
                    for later in self.queue:  # a pipeline's later stages go with it
                        if later.after is ticket:
                            self.queue.remove(later)
                            later.state, later.message = "cancelled", "cancelled with the stage before it"
                    return True
        return False

    def resume(self, run_dir: str | Path, echo=None, owner: str = "") -> LiveRun:
        """Continue a stopped, failed or interrupted run from its last checkpoint (optimizer state included)."""
        run_dir = Path(run_dir)
        self._check_resumable(run_dir)
        return self.start(load_spec(run_dir / "config.yaml"), run_dir=run_dir, echo=echo, resume=True, owner=owner)

    def _check_resumable(self, run_dir: Path) -> None:
        status = reconcile(run_dir, self.active_dirs())
        if not status:
            raise ValueError(f"{run_dir} is not a run folder (no status.json).")
        if status.get("state") not in RESUMABLE:
            raise ValueError(f"run {run_dir.name} is {status.get('state')}; only stopped, failed or interrupted "
                             "runs can be resumed.")
        if any(t.label == f"resume {run_dir.name}" for _, t in self.queued()):
            raise ValueError(f"run {run_dir.name} is already queued to resume.")
        if last_checkpoint(run_dir) is None:
            raise ValueError(f"run {run_dir.name} has no checkpoint to resume from; start it again instead.")

    def datasets_in_use(self) -> set[str]:
        """The dataset files of the run that trains and of the runs that wait (resolved paths)."""
        from .spec import resolve_path

        live = self.current
        names = {t.dataset for _, t in self.queued()} | ({live.dataset} if live is not None and live.active else set())
        return {str(resolve_path(n).resolve()) for n in names if n}

    def active_dirs(self) -> set[Path]:
        live = self.current
        return {live.run_dir.resolve()} if live is not None and live.active else set()

    def stop(self) -> bool:
        """Ask the current run to stop after its current step. Returns False when nothing is running."""
        live = self.current
        if live is None or not live.active:
            return False
        live.stop_event.set()
        live.message = "stopping after the current step…"
        return True

    def wait(self, timeout: float | None = None) -> LiveRun | None:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.current

    def wait_all(self, timeout: float) -> bool:
        """Wait until nothing trains and nothing is queued; False on timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            thread = self._thread
            if thread is not None:
                thread.join(max(0.0, min(1.0, deadline - time.time())))
            with self._lock:
                if not self.busy() and not self.queue and (self._thread is None or not self._thread.is_alive()):
                    return True
        return False


def zero_gpu() -> bool:
    """A Hugging Face Space on ZeroGPU hardware: the GPU exists only inside `spaces.GPU` calls."""
    return bool(os.environ.get("SPACES_ZERO_GPU"))


def last_checkpoint(run_dir: Path) -> str | None:
    """The newest complete checkpoint. A process killed while saving leaves a checkpoint folder without its
    trainer_state.json (written last); that one is skipped, so the previous checkpoint is used."""
    folder = Path(run_dir) / "checkpoints"
    if not folder.is_dir():
        return None
    numbered = [(int(p.name.split("-")[-1]), p) for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    for _, path in sorted(numbered, reverse=True):
        if (path / "trainer_state.json").is_file():
            return str(path)
    return None


def _train(live: LiveRun, spec: RunSpec, echo=None, resume: bool = False) -> None:
    run_dir = live.run_dir
    handler = logging.FileHandler(run_dir / "train.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())  # no token in train.log, no unbounded line
    log = logging.getLogger("studio.run")
    for name in _LOGGERS:
        logging.getLogger(name).addHandler(handler)
    log.setLevel(logging.INFO)
    callback = None
    try:
        from ..methods.common import prepare
        from .metrics import StudioCallback

        method = get_method(spec.method)
        callback = StudioCallback(live, echo=echo)
        ctx = prepare(spec, run_dir, [callback], method, log=log.info)
        if live.stop_event.is_set():
            raise _Stopped()
        trainer = method.build_trainer(ctx)
        from transformers import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # our callback already reports every log line
        checkpoint = last_checkpoint(run_dir) if resume else None
        log.info("training %s for %s steps%s", spec.method, ctx.args.max_steps,
                 f", resuming from {checkpoint}" if checkpoint else "")
        trainer.train(resume_from_checkpoint=checkpoint)
        trainer.save_model(str(run_dir / "adapter"))
        ctx.tokenizer.save_pretrained(str(run_dir / "adapter"))
        stopped = live.stop_event.is_set()
        if live.error:
            live.state, live.message = "failed", live.error
        elif live.budget_spent:
            live.state = "stopped"
            budget = live.deadline - live.started_at
            budget_text = f"{budget:.0f} seconds" if budget < 120 else f"{budget / 60:.0f} minutes"
            live.message = (f"stopped: a run on this shared studio may train for {budget_text}; the adapter and a "
                            "checkpoint were saved, so it can be compared or resumed")
        elif stopped:
            live.state, live.message = "stopped", "stopped by request; the adapter was saved"
        else:
            live.message = "finished; the adapter was saved"
            del trainer, ctx  # free the training copy before the evaluation loads the model again
            gc.collect()
            live.message = _evaluate(live, log)
            live.state = "finished"
        log.info(live.message)
    except _Stopped:
        live.state, live.message = "stopped", "stopped before training began"
    except Exception as exc:  # any failure is a state of the run, never a crash of the app
        live.state = "failed"
        live.message = plain_failure(exc)
        log.error("run failed: %s\n%s", live.message, traceback.format_exc())
    finally:
        if callback is not None:
            callback.close()
        write_status(run_dir, state=live.state, step=live.step, max_steps=live.max_steps, message=live.message,
                     finished_at=time.time())
        for name in _LOGGERS:
            logging.getLogger(name).removeHandler(handler)
        handler.close()


def _evaluate(live: LiveRun, log) -> str:
    """The end-of-run verdict on the held-out rows; a failure here never fails the run."""
    if not (live.run_dir / "holdout.jsonl").is_file():
        return "finished; the adapter was saved"
    live.message = "finished training; evaluating base vs aligned on the held-out rows…"
    write_status(live.run_dir, message=live.message)
    try:
        from ..evaluation.compare import evaluate_run, summary_line

        _, summary = evaluate_run(live.run_dir)
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
    if isinstance(exc, ValueError):
        return text
    if "out of memory" in text.lower() or isinstance(exc, MemoryError):
        return ("Out of memory. Try a smaller batch size, a shorter max_length, LoRA instead of full "
                "fine-tuning, or 4-bit loading.")
    return f"{type(exc).__name__}: {text} (details in train.log)"
