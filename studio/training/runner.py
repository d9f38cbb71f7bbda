"""The runner: every run trains in a process of its own, and the runner follows it through its run folder.

`Runner.start(spec)` writes the run's config.yaml and first status, then starts the training process — the
body of `python -m studio train CONFIG --output-dir RUN` (training/execute.py) — in a process group of its
own, and follows it: metrics.jsonl and status.json into a `LiveRun` the page (or the CLI) reads. The server
never holds a training model; a crash, an out-of-memory or a segfault ends only that process, and the run
says so in one sentence. One protocol serves every way a run is launched (`Launch`):

- a child forked from a preloaded fork server (multiprocessing's forkserver, with torch, transformers and TRL
  imported once), so a run starts in milliseconds rather than after seconds of imports — the default;
- a plain `python -m studio train …` subprocess (STUDIO_CHILD_START=spawn), or one under a launcher such as
  `accelerate launch` (STUDIO_LAUNCHER="accelerate launch --num_processes 2");
- a `spaces.GPU` call on a ZeroGPU Space (training/zerogpu.py);
- a run found training when the app starts (it outlived a restart of the app): adopted by the pid in its
  status.json, followed and stoppable like the others.

`stop()` writes the stop request (the process stops after its current step, with a checkpoint); a second
`stop()`, or a process that doesn't answer within STOP_GRACE_S, ends the process group at once.

`submit(...)` queues instead of refusing when a run is going (shared mode, the RLHF pipeline): each `Ticket`
knows its owner and its position; the next one starts when the current run ends, whatever way it ends. The
queue is kept in runs/queue.json, so it survives a restart of the app.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .. import trackers
from ..processes import start_without_main
from ..methods import get_method
from .execute import CHILD_ENV, DEADLINE_ENV, SECRETS_ENV, open_run, plain_failure, spec_secrets
from .runs import (ACTIVE, QUEUE_FILE, RESUMABLE, RunFolder, RunView, default_runs_dir, list_runs, new_run_dir,
                   process_alive, training_process_alive, write_json_atomic)
from .spec import RunSpec, load_spec, spec_from_yaml

POLL_S = 0.25
STOP_GRACE_S = float(os.environ.get("STUDIO_STOP_GRACE_S", 180))  # a step, a checkpoint, a save: then it ends
BUDGET_GRACE_S = 120  # after its time budget a run has this long to stop by itself
STARTED_TICKETS = 50  # started tickets remembered (a pipeline's later stage reads where its earlier one ran)


@dataclass
class LiveRun(RunView):
    """The server's view of one run, followed through its folder (shared with whoever displays it)."""

    owner: str = ""  # in shared mode: the visitor who started it (a hash, never the visitor's id itself)
    dataset: str = ""
    stop_requested_at: float | None = None
    launch: Launch | None = None

    def snapshot(self) -> dict:
        return {"run_id": self.run_id, "run_dir": str(self.run_dir), "method": self.method, "model": self.model,
                "state": self.state, "step": self.step, "max_steps": self.max_steps,
                "started_at": self.started_at, "elapsed": time.time() - self.started_at, "message": self.message}


# Launches ---------------------------------------------------------------------------------------------------------

class Launch:
    """A training process as the runner sees it: alive or how it ended, and a way to end it at once."""

    pid: int | None = None

    def poll(self) -> int | None:
        """None while it runs; else its exit code (negative: the signal that ended it)."""
        raise NotImplementedError

    def kill(self) -> None:
        if self.pid:
            try:
                os.killpg(self.pid, signal.SIGKILL)  # the process group: the trainer and anything it started
            except (ProcessLookupError, PermissionError):
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass


def _child_main(job: dict, env: dict, log_path: str) -> None:
    """A forked child's body: its own process group, this run's environment, its output in train.log, then what
    `python -m studio train …` runs (execute.train_command)."""
    os.setsid()
    for key in [k for k in os.environ if k not in env]:
        del os.environ[key]
    os.environ.update(env)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    import faulthandler

    faulthandler.enable()  # a segfault leaves its Python traceback in train.log
    from .execute import train_command

    code = train_command(**job)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)  # through multiprocessing's own exit, which releases what the run registered


_fork_lock = threading.Lock()
_fork_context = None


def _forkserver():
    """multiprocessing's forkserver with the training libraries imported once: every run forks from it."""
    global _fork_context
    with _fork_lock:
        if _fork_context is None:
            import multiprocessing

            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["studio.training.preload"])
            _fork_context = context
        return _fork_context


def warm_up() -> None:
    """Start the fork server now (it imports torch, transformers and TRL, some seconds), so the first run
    doesn't wait for it. Runs a no-op child."""
    if child_start() != "fork" or zero_gpu():
        return
    process = _forkserver().Process(target=_noop, daemon=False)
    start_without_main(process)
    process.join(120)


def _noop() -> None:
    pass


def child_start() -> str:
    """How runs are started here: "fork" (from the preloaded fork server) or "spawn" (a fresh interpreter)."""
    if os.environ.get("STUDIO_LAUNCHER") or os.environ.get("STUDIO_CHILD_START", "fork") == "spawn":
        return "spawn"
    return "fork" if sys.platform.startswith("linux") else "spawn"


class ForkedChild(Launch):
    def __init__(self, job: dict, env: dict, folder: RunFolder):
        self.process = _forkserver().Process(target=_child_main, args=(job, env, str(folder.log)), daemon=False)
        start_without_main(self.process)
        self.pid = self.process.pid

    def poll(self) -> int | None:
        return self.process.exitcode


class SpawnedChild(Launch):
    def __init__(self, job: dict, env: dict, folder: RunFolder):
        prefix = shlex.split(os.environ.get("STUDIO_LAUNCHER", "")) or [sys.executable]
        argv = ["train", "--resume", job["resume"]] if job.get("resume") else \
            ["train", job["config"], "--output-dir", job["output_dir"]]
        command = [*prefix, "-m", "studio", *argv]
        with open(folder.log, "ab") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            env=env, start_new_session=True,
                                            cwd=str(Path(__file__).resolve().parents[2]))
        self.pid = self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()


class Adopted(Launch):
    """A run found training when this runner started: its process is not our child, so it is watched by pid."""

    def __init__(self, folder: RunFolder, status: dict):
        self.folder, self.pid = folder, int(status["pid"])
        self.status = status

    def poll(self) -> int | None:
        status = self.folder.read_status() or self.status
        if status.get("pid") and int(status["pid"]) != self.pid:  # resumed by someone else meanwhile
            self.pid = int(status["pid"])
        return None if process_alive(self.pid) and training_process_alive(status) else 0


def describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


# The queue ----------------------------------------------------------------------------------------------------------

@dataclass
class Ticket:
    """A run waiting for its turn. `state`: queued → started (see `live`), or cancelled / skipped / failed
    with a `message` saying why it never started. Plain data, so the queue can be written to disk."""

    label: str
    owner: str
    spec: RunSpec
    run_dir: str | None = None  # resume: the run folder to continue
    resume: bool = False
    after: str | None = None  # a pipeline stage: starts only if that ticket's run finished
    fill: str | None = None  # …with that run's folder as this spec's extras[fill] (PPO's reward_model)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    queued_at: float = field(default_factory=time.time)
    state: str = "queued"
    message: str = ""
    live: LiveRun | None = None
    address: str = ""  # shared mode: a hash of the visitor's network address, for the per-address cap
    dataset: str = ""  # the file it will read (kept while it waits)

    def to_dict(self) -> dict:
        return {"label": self.label, "owner": self.owner, "spec": self.spec.to_yaml(), "run_dir": self.run_dir,
                "resume": self.resume, "after": self.after, "fill": self.fill, "id": self.id,
                "queued_at": self.queued_at, "address": self.address, "dataset": self.dataset}

    @classmethod
    def from_dict(cls, data: dict) -> Ticket:
        values = dict(data)
        values["spec"] = spec_from_yaml(values["spec"], where=f"queued run {values.get('label', '')}")
        return cls(**values)


class Runner:
    def __init__(self, runs_dir: Path | None = None, run_seconds: float | None = None, adopt: bool = True):
        self.runs_dir = Path(runs_dir) if runs_dir else default_runs_dir()
        self.run_seconds = run_seconds  # a time budget per run (shared mode); None: no limit
        self._lock = threading.RLock()
        self._follower: threading.Thread | None = None
        self.current: LiveRun | None = None
        self.queue: list[Ticket] = []
        self._started: dict[str, str] = {}  # ticket id → the run folder it started (for later pipeline stages)
        self.echo = None  # the CLI's printer of metric lines, for every run this runner follows
        if adopt:
            self._adopt()
            self._load_queue()
            self._dispatch()

    def busy(self) -> bool:
        return self.current is not None and self.current.active

    def busy_message(self) -> str:
        live = self.current
        return (f"busy: run {live.run_id} is at step {live.step}/{live.max_steps or '?'}; "
                "stop it or wait for it to finish.")

    # Starting and following ------------------------------------------------------------------------------------

    def start(self, spec: RunSpec, run_dir: Path | None = None, echo=None, resume: bool = False,
              owner: str = "") -> LiveRun:
        """Start training `spec` in a process of its own. Raises ValueError when a run is already going."""
        get_method(spec.method)  # unknown method → ValueError before anything is written
        trackers.check(trackers.of(spec))  # a tracker that can't work: one sentence now, not a failed run
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
                if not resume and RunFolder(run_dir).is_run():
                    raise ValueError(f"{run_dir} already holds a run; pick a new output folder, or resume that "
                                     f"run with --resume {run_dir}.")
                run_dir.mkdir(parents=True, exist_ok=True)
            folder = RunFolder(run_dir)
            if resume:
                status = folder.read_status()
                owner = owner or status.get("owner", "")
                folder.clear_stop()
                folder.write_status(state="starting", message="", pid=None)
                started_at = time.time()
            else:
                started_at = open_run(folder, spec, owner)["started_at"]
            live = LiveRun(folder=folder, method=spec.method, model=spec.model_name, owner=owner,
                           dataset=str(spec.dataset), started_at=started_at, step=folder.read_status().get("step", 0))
            if self.run_seconds:
                live.deadline = live.started_at + self.run_seconds
            try:
                live.launch = self._launch(folder, spec, resume, live.deadline)
            except Exception as exc:  # the process could not even start: a failed run, said plainly
                folder.write_status(state="failed", message=f"the training process could not start: "
                                                            f"{plain_failure(exc)}", finished_at=time.time())
                raise ValueError(f"the training process could not start: {plain_failure(exc)}") from exc
            self.current = live
            self._follower = threading.Thread(target=self._follow, args=(live, echo), name=f"follow-{live.run_id}",
                                              daemon=True)
            self._follower.start()
            return live

    def _launch(self, folder: RunFolder, spec: RunSpec, resume: bool, deadline: float | None) -> Launch:
        job = {"resume": str(folder.path)} if resume else {"config": str(folder.config), "output_dir": str(folder.path)}
        env = child_env(spec, deadline)
        names = trackers.of(spec)
        env.update(trackers.environment(names, folder.path))
        if zero_gpu():
            from .zerogpu import ZeroGPUCall

            return ZeroGPUCall(folder, spec, resume, deadline)
        if child_start() == "fork" and not trackers.needs_fresh_process(names):
            return ForkedChild(job, env, folder)
        return SpawnedChild(job, env, folder)

    def _follow(self, live: LiveRun, echo) -> None:
        """Mirror the run folder into `live` until the process ends; then say how it ended and start the next."""
        reader = live.folder.reader()
        echo = echo or self.echo
        budget_asked = False
        try:
            while True:
                self._read(live, reader, echo)
                code = live.launch.poll()
                if code is not None:
                    break
                now = time.time()
                if live.stop_requested_at and now - live.stop_requested_at > STOP_GRACE_S:
                    live.launch.kill()  # asked to stop long ago and still going: end it
                    live.message = f"the run did not stop within {STOP_GRACE_S:.0f} s of the request, so it was ended"
                if live.deadline and now > live.deadline + BUDGET_GRACE_S and not budget_asked:
                    budget_asked = True  # the process should have stopped itself at its budget: ask, then end
                    self._request_stop(live)
                time.sleep(POLL_S)
            self._read(live, reader, echo)
            self._conclude(live, code)
        except Exception as exc:  # the follower itself must never take the queue down with it
            live.state, live.message = "failed", f"the studio lost track of this run ({plain_failure(exc)})"
        finally:
            self._dispatch()

    def _read(self, live: LiveRun, reader, echo) -> None:
        for row in reader.read_new():
            live.metrics.append(row)
            if echo:
                echo(row)
        status = live.folder.read_status()
        if status:
            live.step = status.get("step", live.step) or live.step
            live.max_steps = status.get("max_steps", live.max_steps) or live.max_steps
            if status.get("message"):
                live.message = status["message"]
            if status.get("state") in ACTIVE[1:] + ("finished", "stopped", "failed", "interrupted"):
                live.state = status["state"]

    def _conclude(self, live: LiveRun, code: int) -> None:
        """The process has ended: take its final state, or (it died without one) write what happened."""
        status = live.folder.read_status()
        if status.get("state") in ACTIVE:
            tail = [line for line in live.folder.tail_log(30).splitlines() if line.strip()]
            last = tail[-1].strip()[:200] if tail else ""
            if live.stop_requested_at is not None:
                state = "stopped"
                message = (f"stopped at once at step {live.step} (the process was ended); resume continues from the "
                           "last checkpoint")
            else:
                state = "failed"
                message = (f"the training process crashed ({describe_exit(code)}) at step {live.step}; resume "
                           f"continues from the last checkpoint" + (f"; train.log ends: {last}" if last else ""))
            status = live.folder.write_status(state=state, message=message, finished_at=time.time())
        live.step = status.get("step", live.step)
        live.state, live.message = status.get("state", "failed"), status.get("message", "")

    # Adopting runs that outlived the app ---------------------------------------------------------------------

    def _adopt(self) -> None:
        """A run still training from before this runner started (the app was restarted): follow it again."""
        if not self.runs_dir.is_dir():
            return
        alive = []
        for path in self.runs_dir.iterdir():
            folder = RunFolder(path)
            if path.is_symlink() or not folder.is_run():
                continue
            status = folder.read_status()
            if status.get("state") in ACTIVE and training_process_alive(status):
                alive.append((status.get("started_at", 0), folder, status))
        if not alive:
            return
        _, folder, status = max(alive, key=lambda item: item[0])
        live = LiveRun(folder=folder, method=status.get("method", ""), model=status.get("model", ""),
                       owner=status.get("owner", ""), dataset=str(status.get("dataset", "")),
                       started_at=status.get("resumed_at") or status.get("started_at") or time.time(),
                       step=status.get("step", 0), max_steps=status.get("max_steps", 0), state=status["state"],
                       message=status.get("message", ""), launch=Adopted(folder, status))
        if self.run_seconds:
            live.deadline = live.started_at + self.run_seconds
        if folder.stop_requested():
            live.stop_requested_at = time.time()
        self.current = live
        self._follower = threading.Thread(target=self._follow, args=(live, None), name=f"follow-{live.run_id}",
                                          daemon=True)
        self._follower.start()

    # The queue ------------------------------------------------------------------------------------------------

    def submit(self, spec: RunSpec, owner: str = "", label: str = "", after: Ticket | None = None,
               fill: str | None = None, echo=None, address: str = "", run_dir: Path | None = None) -> Ticket:
        """Queue `spec`; it starts now when nothing trains, else when its turn comes. `after`: start only if
        that ticket's run finished, with its run folder as `spec.extras[fill]` (a pipeline's later stage).
        `run_dir`: the new run's folder (default: a new one under the runs folder)."""
        get_method(spec.method)
        trackers.check(trackers.of(spec))
        if echo is not None:
            self.echo = echo
        ticket = Ticket(label=label or f"{spec.method} on {Path(str(spec.dataset)).name}", owner=owner, spec=spec,
                        after=after.id if after else None, fill=fill, address=address, dataset=str(spec.dataset),
                        run_dir=str(run_dir) if run_dir else None)
        return self._enqueue(ticket)

    def submit_resume(self, run_dir: str | Path, owner: str = "", address: str = "") -> Ticket:
        folder = RunFolder(run_dir)
        self._check_resumable(folder)
        spec = load_spec(folder.config)
        ticket = Ticket(label=f"resume {folder.name}", owner=owner, spec=spec, run_dir=str(folder.path),
                        resume=True, address=address, dataset=str(spec.dataset))
        return self._enqueue(ticket)

    def _enqueue(self, ticket: Ticket) -> Ticket:
        with self._lock:
            self.queue.append(ticket)
            self._save_queue()
        self._dispatch()
        return ticket

    def _dispatch(self) -> None:
        """Start the first queued ticket when nothing trains; tickets that can't start say why and make way."""
        with self._lock:
            while self.queue and not self.busy():
                ticket = self.queue.pop(0)
                try:
                    if ticket.after is not None:  # queued after it (FIFO), so it has run and ended, or never started
                        before = self._started.get(ticket.after)
                        before_state = RunFolder(before).state if before else "not started"
                        if before_state != "finished":
                            ticket.state = "skipped"
                            ticket.message = f"skipped: the stage before it ended {before_state}, not finished."
                            continue
                        if ticket.fill:
                            ticket.spec.extras[ticket.fill] = before
                    ticket.live = self._start(ticket.spec, Path(ticket.run_dir) if ticket.run_dir else None, None,
                                              ticket.resume, ticket.owner)
                    ticket.state = "started"
                    self._started[ticket.id] = str(ticket.live.run_dir)
                    while len(self._started) > STARTED_TICKETS:
                        self._started.pop(next(iter(self._started)))
                except Exception as exc:  # a bad config never blocks the queue behind it
                    ticket.state, ticket.message = "failed", f"could not start: {plain_failure(exc)}"
                finally:
                    self._save_queue()

    def _save_queue(self) -> None:
        if not self.queue and not (self.runs_dir / QUEUE_FILE).exists():
            return
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.runs_dir / QUEUE_FILE, {"waiting": [t.to_dict() for t in self.queue],
                                                       "started": self._started})

    def _load_queue(self) -> None:
        try:
            saved = json.loads((self.runs_dir / QUEUE_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return
        self._started = dict(saved.get("started") or {})
        for data in saved.get("waiting") or []:
            try:
                self.queue.append(Ticket.from_dict(data))
            except (ValueError, TypeError, KeyError):
                continue  # a config this version no longer reads: dropped, never blocking the rest

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
            self._save_queue()
        for ticket in waiting:
            ticket.state, ticket.message = "cancelled", "cancelled before it started"
        return len(waiting)

    def cancel(self, ticket_id: str, owner: str = "") -> bool:
        """Take a waiting ticket out of the queue (only its owner's request does); its later stages go too."""
        with self._lock:
            for ticket in self.queue:
                if ticket.id == ticket_id and ticket.owner == owner:
                    self.queue.remove(ticket)
                    ticket.state, ticket.message = "cancelled", "cancelled before it started"
                    for later in [t for t in self.queue if t.after == ticket.id]:
                        self.queue.remove(later)
                        later.state, later.message = "cancelled", "cancelled with the stage before it"
                    self._save_queue()
                    return True
        return False

    # Resume, stop, wait ---------------------------------------------------------------------------------------

    def resume(self, run_dir: str | Path, echo=None, owner: str = "") -> LiveRun:
        """Continue a stopped, failed or interrupted run from its last checkpoint (optimizer state included)."""
        folder = RunFolder(run_dir)
        self._check_resumable(folder)
        return self.start(load_spec(folder.config), run_dir=folder.path, echo=echo, resume=True, owner=owner)

    def _check_resumable(self, folder: RunFolder) -> None:
        from .runs import reconcile

        status = reconcile(folder, self.active_dirs())
        if not status:
            raise ValueError(f"{folder.path} is not a run folder (no status.json).")
        if status.get("state") not in RESUMABLE:
            raise ValueError(f"run {folder.name} is {status.get('state')}; only stopped, failed or interrupted "
                             "runs can be resumed.")
        if any(t.resume and Path(t.run_dir) == folder.path for _, t in self.queued()):
            raise ValueError(f"run {folder.name} is already queued to resume.")
        if folder.last_checkpoint() is None:
            raise ValueError(f"run {folder.name} has no checkpoint to resume from; start it again instead.")

    def active_dirs(self) -> set[Path]:
        live = self.current
        return {live.run_dir.resolve()} if live is not None and live.active else set()

    def datasets_in_use(self) -> set[str]:
        """The dataset files of the run that trains and of the runs that wait (resolved paths)."""
        from .spec import resolve_path

        live = self.current
        names = {t.dataset for _, t in self.queued()} | ({live.dataset} if live is not None and live.active else set())
        return {str(resolve_path(n).resolve()) for n in names if n}

    def _request_stop(self, live: LiveRun) -> None:
        live.folder.request_stop()
        live.stop_requested_at = live.stop_requested_at or time.time()

    def stop(self) -> bool:
        """Ask the current run to stop after its current step; asked again, end its process at once.
        Returns False when nothing is running."""
        live = self.current
        if live is None or not live.active:
            return False
        if live.stop_requested_at is not None and live.launch is not None:
            live.launch.kill()
            live.message = "ending the run at once…"
            return True
        self._request_stop(live)
        live.message = "stopping after the current step…"
        return True

    def wait(self, timeout: float | None = None) -> LiveRun | None:
        follower = self._follower
        if follower is not None:
            follower.join(timeout)
        return self.current

    def wait_all(self, timeout: float) -> bool:
        """Wait until nothing trains and nothing is queued; False on timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            follower = self._follower
            if follower is not None:
                follower.join(max(0.0, min(1.0, deadline - time.time())))
            with self._lock:
                if not self.busy() and not self.queue and (self._follower is None or not self._follower.is_alive()):
                    return True
            time.sleep(0.05)
        return False

    def list(self) -> list[dict]:
        return list_runs(self.runs_dir, self.active_dirs())


def child_env(spec: RunSpec, deadline: float | None) -> dict:
    """The environment of a run's process: this one's, plus the run's own (its time budget, the config values
    kept out of config.yaml), minus the operator's Hub token on a shared studio unless the run uses the
    operator's own model."""
    from ..limits import shared_mode
    from ..models import TRUSTED_MODEL_ENV

    env = {**os.environ, CHILD_ENV: "1", "PYTHONUNBUFFERED": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
           "TQDM_DISABLE": "1"}
    env.pop(DEADLINE_ENV, None)
    env.pop(SECRETS_ENV, None)
    if deadline:
        env[DEADLINE_ENV] = str(deadline)
    secrets = spec_secrets(spec)
    if secrets:
        env[SECRETS_ENV] = json.dumps(secrets)
    if shared_mode() and spec.model_name != os.environ.get(TRUSTED_MODEL_ENV):
        env.pop("HF_TOKEN", None)
        env.pop("HUGGING_FACE_HUB_TOKEN", None)
    return env


def zero_gpu() -> bool:
    """A Hugging Face Space on ZeroGPU hardware: the GPU exists only inside `spaces.GPU` calls."""
    return bool(os.environ.get("SPACES_ZERO_GPU"))


def last_checkpoint(run_dir: Path) -> str | None:
    return RunFolder(run_dir).last_checkpoint()
