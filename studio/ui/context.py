"""What every tab shares: the one runner, the compare pool, and the app's settings. No gradio here."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..evaluation.generate import ComparePool
from ..models import BUNDLED_MODEL
from ..redact import bounded, redact_text
from ..shared import SharedLimits, SharedPolicy, owner_id, scrub_paths
from ..training.runner import Runner
from ..training.runs import read_status
from ..training.spec import PROJECT_ROOT


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
class StudioContext:
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
