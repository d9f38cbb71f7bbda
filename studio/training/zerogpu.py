"""Training on a ZeroGPU Space: the GPU exists only inside a `spaces.GPU` call, which runs in another process.

So the run goes through files both ways. The GPU process trains exactly as the thread would elsewhere
(`runner._train`, writing metrics.jsonl and status.json per step); this process follows those files into the
`LiveRun` the UI reads, and a Stop becomes a `stop.request` file the GPU process watches. A call that
outlives its time slot leaves the run `interrupted`, resumable from its last checkpoint like any other.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from .runs import read_status, write_status

STOP_FILE = "stop.request"
DEFAULT_SECONDS = 300


def slot_seconds() -> int:
    """How long one `spaces.GPU` call may hold the GPU (STUDIO_ZEROGPU_DURATION, default 300 s)."""
    try:
        return max(10, int(os.environ.get("STUDIO_ZEROGPU_DURATION", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


def gpu_job(run_dir: str, spec_yaml: str, resume: bool) -> tuple[str, str]:
    """Runs inside the `spaces.GPU` call: train, watching for the stop file. Returns (state, message)."""
    from .runner import LiveRun, _train
    from .spec import spec_from_yaml

    spec = spec_from_yaml(spec_yaml, where="config.yaml")
    live = LiveRun(run_dir=Path(run_dir), method=spec.method, model=spec.model_name)
    status = read_status(live.run_dir)  # metric times count from the same moment as in the parent's LiveRun
    live.started_at = status.get("resumed_at" if resume else "started_at") or live.started_at
    done = threading.Event()

    def watch():
        while not done.wait(0.5):
            if (live.run_dir / STOP_FILE).exists():
                live.stop_event.set()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        _train(live, spec, None, resume)
    finally:
        done.set()
    return live.state, live.message


def _follow(live, finished: threading.Event) -> None:
    """Mirror the GPU process's files into `live` until the call returns; pass a Stop on as the stop file."""
    metrics_path, offset, told = live.run_dir / "metrics.jsonl", 0, False
    while True:
        last_round = finished.wait(0.5)
        if live.stop_event.is_set() and not told:
            (live.run_dir / STOP_FILE).touch()
            told = True
        try:
            with open(metrics_path, encoding="utf-8") as handle:
                handle.seek(offset)
                for line in handle:
                    if not line.endswith("\n"):
                        break  # a line still being written: read it next round
                    offset += len(line.encode("utf-8"))
                    try:
                        live.metrics.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue
        except FileNotFoundError:
            pass
        status = read_status(live.run_dir)
        live.step = status.get("step", live.step) or live.step
        live.max_steps = status.get("max_steps", live.max_steps) or live.max_steps
        if status.get("message") and live.state == "running":
            live.message = status["message"]
        if live.state == "starting" and live.metrics:
            live.state = "running"
        if last_round:
            return


def train_on_zero_gpu(live, spec, resume: bool) -> None:
    """The runner's thread body on ZeroGPU: one `spaces.GPU` call trains; this thread follows it."""
    import spaces  # present on every ZeroGPU Space

    seconds = slot_seconds()
    job = spaces.GPU(duration=seconds)(gpu_job)
    (live.run_dir / STOP_FILE).unlink(missing_ok=True)
    finished = threading.Event()
    follower = threading.Thread(target=_follow, args=(live, finished), daemon=True)
    follower.start()
    live.message = f"waiting for a ZeroGPU slot (up to {seconds} s per call)…"
    try:
        state, message = job(str(live.run_dir), spec.to_yaml(secrets=True), resume)
    except Exception as exc:  # the slot ran out, or the GPU process died: the checkpoints on disk remain
        state = "interrupted"
        message = (f"the ZeroGPU call ended before the run did ({type(exc).__name__}: {exc}); resume continues "
                   "from the last checkpoint (set STUDIO_ZEROGPU_DURATION for longer slots).")
        write_status(live.run_dir, state=state, message=message, finished_at=time.time())
    finally:
        finished.set()
        follower.join()
        (live.run_dir / STOP_FILE).unlink(missing_ok=True)
    status = read_status(live.run_dir)
    live.step = status.get("step", live.step)
    live.state, live.message = state, message
