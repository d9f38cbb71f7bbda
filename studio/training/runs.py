"""The run folder store: one folder per run under the runs folder, plain files a person can read.

`RunFolder` owns the layout; nothing else in the studio spells out these names:

    runs/<id>/config.yaml        the fully resolved RunSpec (tokens redacted)
              status.json        {"state": "starting|running|finished|stopped|failed|interrupted", "step",
                                  "max_steps", "pid", "message", …}
              metrics.jsonl      one JSON object per logged step, flushed as it happens
              train.log          what the run printed, tracebacks (and a crashed process's last words) included
              stop.request       present: the training process stops after its current step, with a checkpoint
              holdout.jsonl      the rows kept out of training for the verdict
              skipped.jsonl      rows left out of training because they were bad, with the reason
              data/              a big file's training rows as a memory-mapped Arrow file (removed once the run
                                  finishes; kept while it can still be resumed)
              adapter/           the LoRA adapter (or the full model) and tokenizer
              merged/            base + adapter merged once, when something needs a standalone checkpoint
              checkpoints/       the trainer's checkpoints (resume starts from the newest complete one)
              eval.jsonl         the verdict's rows;  eval_summary.json  its summary
    runs/queue.json              the runs waiting their turn (survives a restart of the app)

A run's config is read back through the studio's YAML reader (`values()`), or as a RunSpec with
`spec.load_spec(folder.config)`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import default_runs_dir  # noqa: F401 (where run folders go, for callers of this module)

STATES = ("starting", "running", "finished", "stopped", "failed", "interrupted")
ACTIVE = ("starting", "running")
RESUMABLE = ("stopped", "failed", "interrupted")
QUEUE_FILE = "queue.json"


def write_json_atomic(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a file


def is_main_process() -> bool:
    """Under `accelerate launch` every process trains; only the first one writes the run folder."""
    return os.environ.get("RANK", "0") in ("", "0")


class RunFolder:
    """One run's folder: its files, its status, its metrics, its stop request."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, RunFolder) and self.path == other.path

    def __hash__(self) -> int:
        return hash(self.path)

    @property
    def name(self) -> str:
        return self.path.name

    # The layout
    config = property(lambda self: self.path / "config.yaml")
    status_file = property(lambda self: self.path / "status.json")
    metrics_file = property(lambda self: self.path / "metrics.jsonl")
    log = property(lambda self: self.path / "train.log")
    stop_file = property(lambda self: self.path / "stop.request")
    holdout = property(lambda self: self.path / "holdout.jsonl")
    skipped = property(lambda self: self.path / "skipped.jsonl")
    rows_cache = property(lambda self: self.path / "data")
    adapter = property(lambda self: self.path / "adapter")
    merged = property(lambda self: self.path / "merged")
    checkpoints = property(lambda self: self.path / "checkpoints")
    eval_rows = property(lambda self: self.path / "eval.jsonl")
    eval_summary = property(lambda self: self.path / "eval_summary.json")

    def is_run(self) -> bool:
        return self.status_file.is_file()

    def has_model(self) -> bool:
        return self.adapter.is_dir()

    # The config
    def values(self) -> dict:
        """config.yaml as flat preset keys (through the studio's YAML reader)."""
        from ..yamlconfig import parse_yaml_config

        try:
            text = self.config.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ValueError(f"{self.path} is not a run folder (it has no config).") from exc
        return parse_yaml_config(text, where=f"run {self.name}'s config")

    @property
    def base_model(self) -> str:
        return str(self.values().get("model_name_or_path") or "")

    @property
    def method(self) -> str:
        return str(self.read_status().get("method") or self.values().get("method") or "")

    # Status
    def read_status(self) -> dict:
        try:
            return json.loads(self.status_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, NotADirectoryError):
            return {}

    def write_status(self, **fields) -> dict:
        status = self.read_status()
        if not is_main_process():
            return status
        status.update(fields, updated_at=time.time())
        write_json_atomic(self.status_file, status)
        return status

    @property
    def state(self) -> str:
        return self.read_status().get("state", "")

    # Metrics
    def read_metrics(self) -> list[dict]:
        return MetricsReader(self).read_new()

    def reader(self) -> MetricsReader:
        return MetricsReader(self)

    # Stop
    def request_stop(self) -> None:
        self.stop_file.touch()

    def stop_requested(self) -> bool:
        return self.stop_file.exists()

    def clear_stop(self) -> None:
        self.stop_file.unlink(missing_ok=True)

    # Checkpoints and results
    def last_checkpoint(self) -> str | None:
        """The newest complete checkpoint. A process killed while saving leaves a checkpoint folder without its
        trainer_state.json (written last); that one is skipped, so the previous checkpoint is used."""
        if not self.checkpoints.is_dir():
            return None
        numbered = [(int(p.name.split("-")[-1]), p) for p in self.checkpoints.glob("checkpoint-*")
                    if p.name.split("-")[-1].isdigit()]
        for _, path in sorted(numbered, reverse=True):
            if (path / "trainer_state.json").is_file():
                return str(path)
        return None

    def read_summary(self) -> dict | None:
        try:
            return json.loads(self.eval_summary.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, NotADirectoryError):
            return None

    def write_verdict(self, records: list[dict], summary: dict) -> None:
        with open(self.eval_rows, "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        write_json_atomic(self.eval_summary, summary)

    def read_holdout(self) -> list[dict]:
        return read_jsonl(self.holdout)

    def tail_log(self, lines: int = 12, chars: int = 4000) -> str:
        try:
            with open(self.log, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - chars))
                text = handle.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def delete(self) -> None:
        shutil.rmtree(self.path)


@dataclass
class RunView:
    """A run as one process sees it: the training process (execute.RunState) or the server following it
    (runner.LiveRun). Both read and write the same folder."""

    folder: RunFolder
    method: str
    model: str
    state: str = "starting"
    step: int = 0
    max_steps: int = 0
    started_at: float = field(default_factory=time.time)
    message: str = ""
    metrics: list[dict] = field(default_factory=list)
    deadline: float | None = None  # a time budget (shared mode): the run stops with a checkpoint then

    @property
    def run_dir(self) -> Path:
        return self.folder.path

    @property
    def run_id(self) -> str:
        return self.folder.name

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


class MetricsReader:
    """Follows metrics.jsonl: each call returns the lines written since the last call (a line still being
    written waits for the next call)."""

    def __init__(self, folder: RunFolder):
        self.folder, self.offset = folder, 0

    def read_new(self) -> list[dict]:
        rows = []
        try:
            with open(self.folder.metrics_file, "rb") as handle:
                handle.seek(self.offset)
                for line in handle:
                    if not line.endswith(b"\n"):
                        break
                    self.offset += len(line)
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue
        except (FileNotFoundError, NotADirectoryError):
            pass
        return rows


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# The runs folder ---------------------------------------------------------------------------------------------

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


def process_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    try:  # a zombie (exited, not yet reaped by its parent) trains nothing
        return Path(f"/proc/{int(pid)}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def process_started(pid) -> float | None:
    """When the process began (clock ticks since boot, from /proc), to tell it from a later one with its pid."""
    try:
        return float(Path(f"/proc/{int(pid)}/stat").read_text().split(")")[-1].split()[19])
    except (OSError, ValueError, IndexError, TypeError):
        return None


def training_process_alive(status: dict) -> bool:
    """The process the status names is alive, and is the one that wrote it (not a new one with its pid)."""
    pid = status.get("pid")
    if not pid or not process_alive(pid):
        return False
    recorded, now = status.get("pid_started"), process_started(pid)
    return recorded is None or now is None or abs(float(recorded) - now) < 1


def reconcile(folder: RunFolder, active: set[Path] = frozenset()) -> dict:
    """A folder that says it is training while no process trains it was interrupted (a crash, a kill, a
    reboot): say so on disk, so it can be listed and resumed."""
    status = folder.read_status()
    if status.get("state") in ACTIVE and folder.path.resolve() not in active and not training_process_alive(status):
        status = folder.write_status(state="interrupted",
                                     message="the process training this run ended before it finished; resume it "
                                             "from its last checkpoint")
    return status


def list_runs(runs_dir: Path, active: set[Path] = frozenset()) -> list[dict]:
    """Every run folder with its status (interrupted ones marked so), newest first."""
    runs = []
    if not Path(runs_dir).is_dir():
        return runs
    for path in Path(runs_dir).iterdir():
        # A link in the runs folder may point anywhere on the machine: it is not a run of this studio.
        if not path.is_dir() or path.is_symlink():
            continue
        folder = RunFolder(path)
        status = reconcile(folder, active) if folder.is_run() else {}
        if status:
            runs.append({"run_dir": str(path), "name": path.name, **status})
    return sorted(runs, key=lambda r: r.get("started_at", 0), reverse=True)


# Compatibility helpers: a run folder's path → its status or metrics.
def read_status(run_dir: str | Path) -> dict:
    return RunFolder(run_dir).read_status()


def write_status(run_dir: str | Path, **fields) -> dict:
    return RunFolder(run_dir).write_status(**fields)


def read_metrics(run_dir: str | Path) -> list[dict]:
    return RunFolder(run_dir).read_metrics()
