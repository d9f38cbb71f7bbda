"""Shared mode: the limits that make the studio safe to open to strangers (a Space, `--share`, `--shared`).

In shared mode a visitor's input may only name files the studio itself holds: datasets uploaded here or the
bundled samples, models by hub id or as earlier runs' folders, export folders inside the runs folder; custom
reward code is off and uploads are capped. Off (the default on your own machine), everything is allowed.
The UI calls `check_spec` / `check_output_dir` before acting; the CLI is trusted and never calls them.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .data.loading import MAX_FILE_BYTES

SHARED_UPLOAD_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def owner_id(visitor: str | None) -> str:
    """What a run records as its owner: a hash of the visitor's random browser id, so the id itself (which
    grants control of the run) never lands in a run folder others can read."""
    return hashlib.sha256(visitor.encode("utf-8")).hexdigest()[:16] if visitor else ""


NOT_YOURS = ("This run belongs to another visitor: you can watch it and compare it, but not stop, resume, "
             "export or delete it.")


def on_a_space() -> bool:
    return bool(os.environ.get("SPACE_ID"))


@dataclass(frozen=True)
class SharedPolicy:
    enabled: bool
    runs_dir: Path
    samples_dir: Path
    trusted_model: str = ""  # the model the operator started the app with (`--model`) is always allowed

    @property
    def max_upload_bytes(self) -> int:
        return SHARED_UPLOAD_BYTES if self.enabled else MAX_FILE_BYTES

    def _inside(self, path: Path, *roots: Path) -> bool:
        resolved = path.expanduser().resolve()
        return any(resolved == root.resolve() or root.resolve() in resolved.parents for root in roots)

    def check_dataset(self, value: str) -> None:
        if not self.enabled:
            return
        from .training.spec import resolve_path

        if not self._inside(resolve_path(value), self.runs_dir / "uploads", self.samples_dir):
            raise ValueError("In shared mode a run can only use datasets uploaded on the Data tab or the bundled "
                             "samples, not other files on this server.")

    def check_model(self, name: str) -> None:
        if not self.enabled or (self.trusted_model and name == self.trusted_model):
            return
        path = Path(name).expanduser()
        looks_local = name.startswith((".", "/", "~")) or path.exists()
        if looks_local and not self._inside(path, self.runs_dir):
            raise ValueError("In shared mode the model is the bundled one, a hub id, or an earlier run here; "
                             "folders elsewhere on this server are off limits.")

    def check_spec(self, spec) -> None:
        """Everything in a config that could reach outside the studio's own files."""
        if not self.enabled:
            return
        self.check_dataset(spec.dataset)
        self.check_model(spec.model_name)
        if spec.extras.get("reward_custom_file"):
            raise ValueError("Custom reward code is off in shared mode.")
        if spec.extras.get("reward_model"):
            self.check_model(str(spec.extras["reward_model"]))

    def check_run_dir(self, value: str | Path) -> Path:
        """A run folder named by the page: in shared mode it must be one directly under the runs folder."""
        path = Path(str(value)).expanduser()
        if self.enabled:
            resolved = path.resolve()
            if resolved.parent != self.runs_dir.resolve() or not (resolved / "status.json").is_file():
                raise ValueError("That is not a run of this studio.")
            return resolved
        return path

    def check_owner(self, run_owner: str, owner: str) -> None:
        """In shared mode a visitor changes only their own runs; runs made by the CLI belong to nobody."""
        if self.enabled and (not owner or run_owner != owner):
            raise ValueError(NOT_YOURS)

    def check_output_dir(self, value: str) -> Path:
        """Where an export may go: anywhere locally; in shared mode only a plain name under runs/exports/."""
        if not self.enabled:
            return Path(value).expanduser()
        name = value.strip()
        if not _SAFE_NAME.match(name) or name in (".", ".."):
            raise ValueError("In shared mode give a plain folder name (letters, digits, '.', '_' or '-'); the "
                             "export goes under the runs folder's exports/.")
        return self.runs_dir / "exports" / name

    def safe_upload_name(self, name: str) -> str:
        """An uploaded file's name reduced to a safe base name (no folders, no leading dots)."""
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".") or "upload"
        return base[:100]
