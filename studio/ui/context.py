"""What every tab shares: the one runner, the compare pool, and the app's settings. No gradio here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..evaluation.generate import ComparePool
from ..models import BUNDLED_MODEL
from ..shared import SharedPolicy
from ..training.runner import Runner
from ..training.spec import PROJECT_ROOT


@dataclass
class StudioContext:
    runner: Runner
    default_model: str = BUNDLED_MODEL
    compare: ComparePool = field(default_factory=ComparePool)
    shared: bool = False

    @property
    def policy(self) -> SharedPolicy:
        return SharedPolicy(self.shared, self.runs_dir, PROJECT_ROOT / "presets" / "data")

    @property
    def runs_dir(self) -> Path:
        return self.runner.runs_dir

    @property
    def uploads_dir(self) -> Path:
        path = self.runs_dir / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path
