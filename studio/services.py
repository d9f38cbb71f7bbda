"""What the pages decide that doesn't depend on a page: who may do what in shared mode, and start, queue,
stop, resume, run again, delete and the RLHF pipeline. Each Gradio handler is a few lines that call one of
these and show the `Outcome`; the CLI and tests call them the same way. No gradio here.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from .evaluation.generate import ComparePool
from .models import BUNDLED_MODEL
from .redact import bounded, redact_text
from .shared import NOT_YOURS, SharedLimits, SharedPolicy, owner_id, scrub_paths
from .training.runner import Runner
from .training.runs import RESUMABLE, RunFolder, list_runs, read_status
from .training.spec import PROJECT_ROOT


@dataclass
class Outcome:
    """What an action did, in a sentence for the person who asked: `ok` (an info) or not (a warning)."""

    ok: bool
    message: str
    live: object = None  # the LiveRun that started, if one did
    position: int | None = None  # its place in the queue, if it waits

    @classmethod
    def refused(cls, exc_or_text) -> Outcome:
        return cls(False, str(exc_or_text))


def client_address(request) -> str:
    """A hash of where a request came from (for the per-address caps), never the address itself. Behind a
    proxy (a Space, a share link) the proxy's own entry in X-Forwarded-For is the last one, which a client
    can't forge by sending the header itself."""
    if request is None:
        return ""
    host = getattr(getattr(request, "client", None), "host", "") or ""
    forwarded = (request.headers.get("x-forwarded-for") or "") if getattr(request, "headers", None) else ""
    try:
        behind_proxy = ipaddress.ip_address(host).is_private or ipaddress.ip_address(host).is_loopback
    except ValueError:
        behind_proxy = False
    if behind_proxy and forwarded.strip():
        host = forwarded.split(",")[-1].strip()
    return hashlib.sha256(f"address:{host}".encode()).hexdigest()[:16] if host else ""


@dataclass
class Studio:
    runner: Runner
    default_model: str = BUNDLED_MODEL
    compare: ComparePool = field(default_factory=ComparePool)
    shared: bool = False
    live: Callable[[str | None], tuple] | None = None  # the Train tab's tick, served by the live route
    limits: SharedLimits = field(default_factory=SharedLimits.from_env)

    def __post_init__(self):
        if self.shared and self.runner.run_seconds is None:
            self.runner.run_seconds = self.limits.run_seconds  # every run of a shared studio has a time budget

    @property
    def policy(self) -> SharedPolicy:
        return SharedPolicy(self.shared, self.runs_dir, PROJECT_ROOT / "presets" / "data", self.default_model,
                            self.limits)

    def visible(self, message) -> str:
        """A message as a visitor may read it: no token, bounded, and in shared mode no server path."""
        text = bounded(redact_text(str(message)), 1500)
        return scrub_paths(text, self.runs_dir) if self.shared else text

    @property
    def runs_dir(self) -> Path:
        return self.runner.runs_dir

    @property
    def uploads_dir(self) -> Path:
        path = self.runs_dir / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def owner(self, visitor: str | None) -> str:
        """The owner a run started from this page records: the visitor's hash in shared mode, else nobody."""
        return owner_id(visitor) if self.shared else ""

    def check_mine(self, run_dir: str | Path, visitor: str | None) -> Path:
        """The run folder, after checking (in shared mode) it is a run here and this visitor's own."""
        path = self.policy.check_run_dir(run_dir)
        live = self.runner.current
        recorded = live.owner if live is not None and live.run_dir.resolve() == path.resolve() else \
            read_status(path).get("owner", "")
        self.policy.check_owner(recorded, self.owner(visitor))
        return path

    def check_fair_share(self, visitor: str | None, address: str = "", more: int = 1) -> None:
        """Shared mode: a visitor (and a network address, whatever browser ids it makes up) may keep only a few
        runs waiting, and the queue as a whole is capped, so one visitor can't deny the studio to others."""
        if not self.shared:
            return
        if not visitor:
            raise ValueError("The page is still loading; press the button again in a moment.")
        owner, limits = self.owner(visitor), self.limits
        queued = [t for _, t in self.runner.queued()]
        mine = sum(t.owner == owner for t in queued)
        if mine + more > limits.waiting_per_visitor:
            raise ValueError(f"You already have {mine} run(s) waiting; a visitor may queue at most "
                             f"{limits.waiting_per_visitor}. Wait for one to start, or take yours out with Stop.")
        if address and sum(t.address == address for t in queued) + more > limits.waiting_per_address:
            raise ValueError(f"{limits.waiting_per_address} runs from your network are waiting already; wait for "
                             "one of them to start.")
        if len(queued) + more > limits.waiting_total:
            raise ValueError(f"The queue is full ({len(queued)} runs waiting); try again when it is shorter.")

    def check_new_feedback_queue(self, visitor: str | None, address: str = "") -> None:
        """Shared mode: a visitor, a network address and the studio as a whole may hold only so many feedback
        queues (labels are kept, so queues are too, until their owner deletes one)."""
        if not self.shared:
            return
        if not visitor:
            raise ValueError("The page is still loading; press the button again in a moment.")
        from .feedback.store import list_sessions

        owner, limits, queues = self.owner(visitor), self.limits, list_sessions(self.runs_dir)
        if len(queues) >= limits.feedback_queues:
            raise ValueError(f"This shared studio holds {len(queues)} feedback queues, as many as it keeps; label one "
                             "of them instead.")
        if sum(q["owner"] == owner for q in queues) >= limits.feedback_queues_per_visitor:
            raise ValueError(f"You have started {limits.feedback_queues_per_visitor} feedback queues already; add a "
                             "round to one of them instead.")
        if address and sum(q["address"] == address for q in queues) >= limits.feedback_queues_per_address:
            raise ValueError(f"{limits.feedback_queues_per_address} feedback queues were started from your network "
                             "already; add a round to one of them instead.")

    @property
    def label_caps(self) -> dict:
        """What FeedbackSession.record bounds in a shared studio (nothing on one's own machine)."""
        if not self.shared:
            return {}
        limits = self.limits
        return {"max_lines": limits.feedback_lines, "max_bytes": limits.feedback_bytes,
                "max_per_annotator": limits.feedback_lines_per_person}

    def start(self, spec, visitor: str | None, address: str = "") -> tuple:
        """Start `spec` now, or (shared mode, something training) queue it: (LiveRun or None, queue position).
        On your own machine a busy trainer is an error that says so."""
        if not self.shared:
            return self.runner.start(spec), None
        self.check_fair_share(visitor, address)
        ticket = self.runner.submit(spec, owner=self.owner(visitor), address=address)
        if ticket.live is not None:
            return ticket.live, None
        if ticket.state != "queued":
            raise ValueError(ticket.message)
        return None, self.runner.position(ticket.id)

    def resume(self, run_dir: str | Path, visitor: str | None, address: str = "") -> tuple:
        """Resume the visitor's run now or in its turn: (LiveRun or None, queue position)."""
        path = self.check_mine(run_dir, visitor)
        if not self.shared:
            return self.runner.resume(path), None
        self.check_fair_share(visitor, address)
        ticket = self.runner.submit_resume(path, owner=self.owner(visitor), address=address)
        return (ticket.live, None) if ticket.live is not None else (None, self.runner.position(ticket.id))

    # Actions -------------------------------------------------------------------------------------------------

    def _started(self, live, position, started: str, queued: str) -> Outcome:
        if live is None:
            return Outcome(True, queued.format(position=position), position=position)
        return Outcome(True, started.format(run=live.run_id), live=live)

    def start_run(self, spec, visitor: str | None, address: str = "",
                  started: str = "Run {run} started.",
                  queued: str = "Queued: position {position}. Your run starts when the ones before it end; this "
                                "page shows its place.") -> Outcome:
        """Check `spec` against shared mode's rules, then start or queue it."""
        try:
            self.policy.check_spec(spec)
            live, position = self.start(spec, visitor, address)
        except ValueError as exc:
            return Outcome.refused(exc)
        return self._started(live, position, started, queued)

    def stop_for(self, visitor: str | None) -> Outcome:
        """Stop: the visitor's training run (after its step; pressed again, at once), else their waiting runs."""
        runner, live = self.runner, self.runner.current
        if not self.shared:
            if runner.stop():
                return Outcome(True, "Stopping after the current step (press Stop again to end it at once)."
                               if live.stop_requested_at and "at once" not in live.message else "Ending the run now.")
            return Outcome(True, "Nothing is training right now.")
        owner = self.owner(visitor)
        mine = [t for _, t in runner.queued(owner)] if owner else []
        if live is not None and live.active and owner and live.owner == owner:
            runner.stop()
            return Outcome(True, "Stopping your run after the current step.")
        if mine:
            for ticket in mine:
                runner.cancel(ticket.id, owner)
            return Outcome(True, f"Took {len(mine)} waiting run(s) of yours out of the queue.")
        if live is not None and live.active:
            return Outcome(False, NOT_YOURS)
        return Outcome(True, "Nothing of yours is training or waiting.")

    def resume_latest(self, visitor: str | None, address: str = "") -> Outcome:
        """Resume: the run on screen when it is the visitor's and can go on, else their newest resumable run."""
        live, owner = self.runner.current, self.owner(visitor)
        target = None
        if live is not None and not live.active and (not self.shared or live.owner == owner):
            target = live.run_dir
        if target is None:
            candidates = [r for r in list_runs(self.runs_dir, self.runner.active_dirs())
                          if r.get("state") in RESUMABLE and (not self.shared or (owner and r.get("owner") == owner))]
            target = candidates[0]["run_dir"] if candidates else None
        if target is None:
            return Outcome(False, "There is no stopped, failed or interrupted run of yours to resume." if self.shared
                           else "There is no stopped, failed or interrupted run to resume.")
        return self.resume_run(target, visitor, address)

    def resume_run(self, run_dir, visitor: str | None, address: str = "",
                   started: str = "Run {run} resumes from its last checkpoint.") -> Outcome:
        try:
            live, position = self.resume(run_dir, visitor, address)
        except ValueError as exc:
            return Outcome.refused(exc)
        return self._started(live, position, started, "Resume queued: position {position}.")

    def rerun(self, run_dir, visitor: str | None, address: str = "") -> Outcome:
        """Run again with the run's saved config (as saved, not as shown)."""
        from .training.spec import load_spec

        try:
            if not run_dir:
                raise ValueError("Pick a run first.")
            spec = load_spec(RunFolder(self.policy.check_run_dir(run_dir)).config)
        except ValueError as exc:
            return Outcome.refused(exc)
        return self.start_run(spec, visitor, address,
                              started="Run {run} started with the same config; follow it on the Train tab.",
                              queued="Queued: position {position}; follow it on the Train tab.")

    def delete_run(self, run_dir, visitor: str | None) -> Outcome:
        try:
            if not run_dir:
                raise ValueError("Pick a run first.")
            path = self.check_mine(run_dir, visitor).resolve()
        except ValueError as exc:
            return Outcome.refused(exc)
        if path.parent != self.runs_dir.resolve() or path in self.runner.active_dirs() or \
                any(t.run_dir and Path(t.run_dir).resolve() == path for _, t in self.runner.queued()):
            return Outcome(False, "That run can't be deleted (it is training or waiting to resume, or it is not "
                                  "in the runs folder).")
        RunFolder(path).delete()
        return Outcome(True, f"Deleted {path.name}.")

    def start_rlhf(self, model_name: str, dataset: dict | None, reward_steps, ppo_steps, visitor: str | None,
                   address: str = "") -> Outcome:
        """The two-stage pipeline on the Data tab's pairs (when they are pairs; else the sample pairs)."""
        from .training.pipeline import DEMO_PAIRS, rlhf_specs, submit_rlhf

        report = (dataset or {}).get("report") or {}
        pairs = dataset["path"] if dataset and report.get("dataset_type") == "preference" else \
            str(DEMO_PAIRS)
        try:
            reward, ppo = rlhf_specs(pairs, model=(model_name or "").strip() or self.default_model,
                                     reward_overrides={"max_steps": int(reward_steps)},
                                     ppo_overrides={"max_steps": int(ppo_steps)})
            self.policy.check_spec(reward)
            self.policy.check_spec(ppo)
            self.check_fair_share(visitor, address, more=2)
            if not self.shared and (self.runner.busy() or self.runner.queue):
                raise ValueError(self.runner.busy_message() if self.runner.busy() else
                                 f"busy: {len(self.runner.queue)} run(s) are queued.")
            first, _ = submit_rlhf(self.runner, reward, ppo, owner=self.owner(visitor), address=address)
        except (TypeError, ValueError) as exc:
            return Outcome.refused(exc)
        if first.live is None:
            if first.state != "queued":
                return Outcome(False, first.message)
            return Outcome(True, f"RLHF pipeline queued: position {self.runner.position(first.id)}.",
                           position=self.runner.position(first.id))
        return Outcome(True, f"RLHF stage 1 (reward model on {Path(pairs).name}) started as {first.live.run_id}; PPO "
                             "follows when it finishes.", live=first.live)
