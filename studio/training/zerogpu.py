"""Training on a ZeroGPU Space: the GPU exists only inside a `spaces.GPU` call, which runs in another process.

So a run is one such call (`ZeroGPUCall`, a `Launch` of the runner's): the GPU process trains exactly as a
child process would elsewhere (`execute.run`, writing metrics.jsonl and status.json per step, watching
stop.request), and the runner follows the run folder as it follows every run. A call that outlives its time
slot leaves the run `interrupted`, resumable from its last checkpoint like any other.
"""

from __future__ import annotations

import os
import threading
import time

from .runs import RunFolder

DEFAULT_SECONDS = 300


def slot_seconds() -> int:
    """How long one `spaces.GPU` call may hold the GPU (STUDIO_ZEROGPU_DURATION, default 300 s)."""
    try:
        return max(10, int(os.environ.get("STUDIO_ZEROGPU_DURATION", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


def gpu_job(run_dir: str, spec_yaml: str, resume: bool, deadline: float | None = None) -> tuple[str, str]:
    """Runs inside the `spaces.GPU` call: train (watching for the stop file). Returns (state, message)."""
    from .execute import run
    from .spec import spec_from_yaml

    spec = spec_from_yaml(spec_yaml, where="config.yaml")
    state = run(RunFolder(run_dir), spec, resume=resume, deadline=deadline)
    return state.state, state.message


class ZeroGPUCall:
    """One `spaces.GPU` call in a thread of this process; `poll` says when it returned. It can't be ended from
    here (the GPU process is the platform's): a stop request is all there is, and the slot's end."""

    pid = None

    def __init__(self, folder: RunFolder, spec, resume: bool, deadline: float | None):
        import spaces  # present on every ZeroGPU Space

        self.folder, self.code = folder, None
        seconds = slot_seconds()
        job = spaces.GPU(duration=seconds)(gpu_job)
        folder.write_status(message=f"waiting for a ZeroGPU slot (up to {seconds} s per call)…")

        def call():
            try:
                job(str(folder.path), spec.to_yaml(secrets=True), resume, deadline)
                self.code = 0
            except Exception as exc:  # the slot ran out, or the GPU process died: the checkpoints on disk remain
                folder.write_status(state="interrupted", finished_at=time.time(),
                                    message=f"the ZeroGPU call ended before the run did ({type(exc).__name__}: {exc});"
                                            " resume continues from the last checkpoint (set STUDIO_ZEROGPU_DURATION "
                                            "for longer slots).")
                self.code = 1
            finally:
                folder.clear_stop()

        self.thread = threading.Thread(target=call, name=f"zerogpu-{folder.name}", daemon=True)
        self.thread.start()

    def poll(self) -> int | None:
        return None if self.thread.is_alive() else (self.code if self.code is not None else 1)

    def kill(self) -> None:
        self.folder.request_stop()
