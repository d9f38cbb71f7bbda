"""The run folder store: one folder per run under the runs folder, plain files a person can read.

    runs/<id>/config.yaml     the fully resolved RunSpec
              status.json     {"state": "running|finished|stopped|failed", "step", "max_steps", ...}
              metrics.jsonl   one JSON object per logged step, flushed as it happens
              train.log       what the run printed, tracebacks included
              adapter/        the LoRA adapter (or the full model) and tokenizer
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

STATES = ("running", "finished", "stopped", "failed", "interrupted")
RESUMABLE = ("stopped", "failed", "interrupted")


def default_runs_dir() -> Path:
    from .spec import PROJECT_ROOT

    return Path(os.environ.get("STUDIO_RUNS_DIR") or PROJECT_ROOT / "runs")


def new_run_dir(runs_dir: Path, method: str) -> Path:
    runs_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^a-z0-9]+", "", method.lower()) or "run"
    for n in range(1000):
        candidate = runs_dir / f"{stamp}-{safe}" if n == 0 else runs_dir / f"{stamp}-{safe}-{n}"
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise ValueError(f"could not create a new run folder under {runs_dir}")


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a file


def is_main_process() -> bool:
    """Under `accelerate launch` every process trains; only the first one writes the run folder."""
    return os.environ.get("RANK", "0") in ("", "0")


def write_status(run_dir: Path, **fields) -> dict:
    status = read_status(run_dir)
    if not is_main_process():
        return status
    status.update(fields, updated_at=time.time())
    write_json_atomic(run_dir / "status.json", status)
    return status


def read_status(run_dir: Path) -> dict:
    try:
        return json.loads((Path(run_dir) / "status.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def read_metrics(run_dir: Path) -> list[dict]:
    rows = []
    try:
        with open(Path(run_dir) / "metrics.jsonl", encoding="utf-8") as handle:
            for line in handle:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    pass  # a line being written right now
    except FileNotFoundError:
        pass
    return rows


def _process_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    return True


def reconcile(run_dir: Path, active: set[Path] = frozenset()) -> dict:
    """A folder that says `running` while no process trains it was interrupted (a crash, a kill, a reboot):
    say so on disk, so it can be listed and resumed."""
    status = read_status(run_dir)
    if status.get("state") == "running" and Path(run_dir).resolve() not in active:
        pid = status.get("pid")
        if pid is None or int(pid) == os.getpid() or not _process_alive(pid):
            status = write_status(Path(run_dir), state="interrupted",
                                  message="the process training this run ended before it finished; resume it "
                                          "from its last checkpoint")
    return status


def list_runs(runs_dir: Path, active: set[Path] = frozenset()) -> list[dict]:
    """Every run folder with its status (interrupted ones marked so), newest first."""
    runs = []
    if not Path(runs_dir).is_dir():
        return runs
    for folder in Path(runs_dir).iterdir():
        # A link in the runs folder may point anywhere on the machine: it is not a run of this studio.
        status = reconcile(folder, active) if folder.is_dir() and not folder.is_symlink() else {}
        if status:
            runs.append({"run_dir": str(folder), "name": folder.name, **status})
    return sorted(runs, key=lambda r: r.get("started_at", 0), reverse=True)
