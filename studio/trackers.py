"""Experiment trackers beside the studio's own metrics.jsonl: trackio, TensorBoard, Weights & Biases, MLflow.

`report_to` is TRL's own field (transformers' TrainingArguments): a preset names the trackers it wants and
transformers' callbacks do the logging, so nothing here writes a metric. What the studio adds is the part
those callbacks leave to the user:

- before a run starts (`check`), each named tracker must be installed and able to reach where it writes;
  otherwise one sentence says what to do, and the run is never started to fail;
- each tracker writes beside the runs (`environment`): trackio's database for all the studio's runs in
  runs/.trackio (one project, `alignment-studio`, one trackio run per studio run, so its dashboard compares
  them), TensorBoard's event files under runs/<id>/tensorboard, W&B's files under runs/<id>/wandb, MLflow's
  file store under runs/<id>/mlruns unless a tracking server is configured; runs are named by their run id;
- trackio reads its folder once, when first imported, and TRL imports it with itself: so a run that logs to
  trackio starts in a fresh interpreter with the folder set (`needs_fresh_process`), not from the fork server;
- `open_commands` says how to look at what a run logged.

Shared mode refuses `report_to` altogether (studio/shared.py): a tracker logs in with the operator's keys.
"""

from __future__ import annotations

import difflib
import importlib.util
import netrc
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

PROJECT = "alignment-studio"
REACH_TIMEOUT_S = 3.0  # a tracking server that doesn't answer in this long is reported, not waited for


@dataclass(frozen=True)
class Tracker:
    name: str
    label: str
    module: str  # what must import for transformers' callback to work
    install: str
    folder: str  # where in the run folder it writes


TRACKERS = {
    "trackio": Tracker("trackio", "trackio (local dashboard, hostable as a Space)", "trackio", "pip install trackio",
                       "trackio"),
    "tensorboard": Tracker("tensorboard", "TensorBoard", "tensorboard", "pip install tensorboard", "tensorboard"),
    "wandb": Tracker("wandb", "Weights & Biases", "wandb", "pip install wandb", "wandb"),
    "mlflow": Tracker("mlflow", "MLflow", "mlflow", "pip install mlflow", "mlruns"),
}
CHOICES = ("none", *TRACKERS)


def parse(value) -> list[str]:
    """`report_to` as written (none, a name, a comma-separated string or a list) → the tracker names."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    names = []
    for item in items:
        name = str(item).strip().lower()
        if name in ("", "none"):
            continue
        if name == "all":
            raise ValueError("'report_to: all' would log to whatever happens to be installed; name the trackers: "
                             f"{', '.join(TRACKERS)} (or none).")
        if name not in TRACKERS:
            near = difflib.get_close_matches(name, list(TRACKERS), n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise ValueError(f"'report_to' names '{item}', which the studio doesn't offer; choose from "
                             f"{', '.join(CHOICES)}.{hint}")
        if name not in names:
            names.append(name)
    return names


def of(spec) -> list[str]:
    return parse(spec.training.get("report_to"))


def check(names: list[str], env=None) -> None:
    """Raise ValueError with one sentence when a named tracker can't work here; return when all can."""
    env = os.environ if env is None else env
    for name in names:
        tracker = TRACKERS[name]
        if importlib.util.find_spec(tracker.module) is None:
            raise ValueError(f"{tracker.label} is not installed here: `{tracker.install}` into the studio's "
                             "environment, or choose another tracker (report_to).")
        problem = {"wandb": _wandb_problem, "mlflow": _mlflow_problem, "trackio": _trackio_problem}.get(name)
        message = problem(env) if problem else None
        if message:
            raise ValueError(message)


def _reachable(url: str) -> str | None:
    """None when a TCP connection to the URL's host opens within REACH_TIMEOUT_S, else why not."""
    parsed = urlparse(url)
    host = parsed.hostname
    if not host:
        return "it is not a URL"
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=REACH_TIMEOUT_S).close()
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None


def _wandb_problem(env) -> str | None:
    if str(env.get("WANDB_MODE", "")).lower() in ("offline", "disabled", "dryrun"):
        return None
    base = env.get("WANDB_BASE_URL", "https://api.wandb.ai")
    host = urlparse(base).hostname or base
    if not env.get("WANDB_API_KEY") and not _netrc_has(host):
        return ("Weights & Biases has no API key here: set WANDB_API_KEY (or run `wandb login`), or set "
                "WANDB_MODE=offline to keep its logs in the run folder.")
    why = _reachable(base)
    if why:
        return (f"Weights & Biases can't reach {host} ({why}): set WANDB_MODE=offline to keep its logs in the run "
                "folder, or choose another tracker.")
    return None


def _netrc_has(host: str) -> bool:
    try:
        return netrc.netrc().authenticators(host) is not None
    except (OSError, netrc.NetrcParseError):
        return False


def _mlflow_problem(env) -> str | None:
    uri = env.get("MLFLOW_TRACKING_URI", "")
    if not uri.startswith(("http://", "https://")):
        return None  # a local store (the run folder's mlruns, or the file/sqlite URI given)
    why = _reachable(uri)
    if why:
        return (f"MLflow's tracking server {uri} can't be reached ({why}): start it, or unset MLFLOW_TRACKING_URI "
                "to keep MLflow's records in the run folder.")
    return None


def _trackio_problem(env) -> str | None:
    space = env.get("TRACKIO_SPACE_ID", "")
    if not space:
        return None  # local: a database in the run folder
    why = _reachable(env.get("HF_ENDPOINT", "https://huggingface.co"))
    if why or env.get("HF_HUB_OFFLINE") in ("1", "true", "True"):
        return (f"trackio is set to log to the Space {space} (TRACKIO_SPACE_ID), but the Hub can't be reached "
                f"({why or 'HF_HUB_OFFLINE is set'}): unset TRACKIO_SPACE_ID to log into the run folder.")
    return None


def environment(names: list[str], run_dir: Path, env=None) -> dict[str, str]:
    """The environment variables that point each tracker at the run folder (those the user set win)."""
    env = os.environ if env is None else env
    run_dir = Path(run_dir).resolve()
    values = {}
    if "trackio" in names:
        values["TRACKIO_DIR"] = env.get("TRACKIO_DIR") or str(trackio_dir(run_dir.parent))
    if "tensorboard" in names:
        values["TENSORBOARD_LOGGING_DIR"] = str(run_dir / TRACKERS["tensorboard"].folder)
    if "wandb" in names:
        values["WANDB_DIR"] = str(run_dir)  # wandb adds its own wandb/ folder
        values["WANDB_PROJECT"] = env.get("WANDB_PROJECT", PROJECT)
        values["WANDB_NAME"] = env.get("WANDB_NAME", run_dir.name)
    if "mlflow" in names:
        values["MLFLOW_TRACKING_URI"] = env.get("MLFLOW_TRACKING_URI") or (run_dir / TRACKERS["mlflow"].folder).as_uri()
        values["MLFLOW_EXPERIMENT_NAME"] = env.get("MLFLOW_EXPERIMENT_NAME", PROJECT)
        values["MLFLOW_RUN_NAME"] = env.get("MLFLOW_RUN_NAME", run_dir.name)
    return values


def trackio_dir(runs_dir: Path) -> Path:
    return Path(runs_dir).resolve() / ".trackio"


def needs_fresh_process(names: list[str]) -> bool:
    """trackio fixes its folder at import (TRL imports it): such a run can't start from a preloaded process."""
    return "trackio" in names


def config_values(names: list[str], run_dir: Path) -> dict:
    """The TrainingArguments fields a run gets: report_to, and its name and project for the trackers."""
    if not names:
        return {"report_to": "none"}
    return {"report_to": list(names), "run_name": Path(run_dir).name, "project": PROJECT}


def open_commands(names: list[str], run_dir: Path) -> list[str]:
    """How to look at what each tracker logged for this run."""
    run_dir = Path(run_dir)
    commands = []
    for name in names:
        where = run_dir / TRACKERS[name].folder
        if name == "trackio":
            where = os.environ.get("TRACKIO_DIR") or trackio_dir(run_dir.parent)
            commands.append(f"TRACKIO_DIR={where} trackio show --project {PROJECT}")
        elif name == "tensorboard":
            commands.append(f"tensorboard --logdir {where}")
        elif name == "wandb":
            commands.append(f"wandb sync {run_dir / 'wandb'}  # when it ran offline; else see wandb.ai/{PROJECT}")
        elif name == "mlflow":
            commands.append(f"mlflow ui --backend-store-uri {where.resolve().as_uri()}")
    return commands
