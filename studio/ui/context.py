"""What every tab shares: the one runner, the compare pool, and the app's settings. No gradio here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

from ..evaluation.generate import ComparePool
from ..models import BUNDLED_MODEL
from ..shared import SharedPolicy, owner_id
from ..training.runner import Runner
from ..training.runs import read_status
from ..training.spec import PROJECT_ROOT


@dataclass
class StudioContext:
    runner: Runner
    default_model: str = BUNDLED_MODEL
    compare: ComparePool = field(default_factory=ComparePool)
    shared: bool = False
    live: Callable[[str | None], tuple] | None = None  # the Train tab's tick, served by the live route

    @property
    def policy(self) -> SharedPolicy:
        return SharedPolicy(self.shared, self.runs_dir, PROJECT_ROOT / "presets" / "data", self.default_model)

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

    def start(self, spec, visitor: str | None) -> tuple:
        """Start `spec` now, or (shared mode, something training) queue it: (LiveRun or None, queue position).
        On your own machine a busy trainer is an error that says so."""
        if not self.shared:
            return self.runner.start(spec), None
        if not visitor:
            raise ValueError("The page is still loading; press the button again in a moment.")
        ticket = self.runner.submit(spec, owner=self.owner(visitor))
        if ticket.live is not None:
            return ticket.live, None
        if ticket.state != "queued":
            raise ValueError(ticket.message)
        return None, self.runner.position(ticket.id)

    def resume(self, run_dir: str | Path, visitor: str | None) -> tuple:
        """Resume the visitor's run now or in its turn: (LiveRun or None, queue position)."""
        path = self.check_mine(run_dir, visitor)
        if not self.shared:
            return self.runner.resume(path), None
        ticket = self.runner.submit_resume(path, owner=self.owner(visitor))
        return (ticket.live, None) if ticket.live is not None else (None, self.runner.position(ticket.id))
