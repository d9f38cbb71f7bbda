"""The TrainerCallback that carries a run's numbers out of the training process.

Metrics flow one way: trainer `on_log` → `metrics.jsonl` (flushed per line) → the server's reader (the
runner's follower) → the page's tick → the plot. Stop requests flow the other way (stop.request, Ctrl-C, the
time budget → `RunState.stop_event`) and take effect at the end of the current step, with a checkpoint.
"""

from __future__ import annotations

import json
import math
import time

from transformers import TrainerCallback

from .runs import is_main_process


class StudioCallback(TrainerCallback):
    def __init__(self, live, echo=None):
        self.live = live  # execute.RunState
        self.echo = echo  # the CLI prints each log line
        self._file = open(live.folder.metrics_file, "a", encoding="utf-8") if is_main_process() else None

    def on_train_begin(self, args, state, control, **kwargs):
        self.live.max_steps = state.max_steps
        self.live.state = "running"
        self.live.folder.write_status(state="running", step=state.global_step, max_steps=state.max_steps)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs:
            return
        record = {"step": state.global_step, "epoch": state.epoch, "time": round(time.time() - self.live.started_at, 3)}
        record.update({k: v for k, v in logs.items() if isinstance(v, (int, float, str))})
        nonfinite = [k for k, v in record.items() if isinstance(v, float) and not math.isfinite(v)]
        if nonfinite:  # strict JSON has no NaN: write null and name the keys
            record = {**{k: (None if k in nonfinite else v) for k, v in record.items()}, "nonfinite": nonfinite}
        if self._file is not None:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()
        self.live.metrics.append(record)
        if self.echo:
            self.echo(record)
        bad = [k for k in ("loss", "grad_norm") if k in nonfinite]
        if bad:
            self.live.error = (f"the {' and '.join(b.replace('_', ' ') for b in bad)} became NaN or infinite at "
                               f"step {state.global_step}, so the run was stopped; try a lower learning rate.")
            control.should_training_stop = True
            control.should_save = False  # a checkpoint of NaN weights helps nobody

    def on_step_end(self, args, state, control, **kwargs):
        self.live.step = state.global_step
        self.live.folder.write_status(step=state.global_step, max_steps=state.max_steps)
        if self.live.error:
            control.should_training_stop = True
            return
        if self.live.deadline is not None and time.time() >= self.live.deadline and not self.live.stop_event.is_set():
            self.live.budget_spent = True  # shared mode's time budget: stop like a Stop, with a checkpoint
            self.live.stop_event.set()
        if self.live.stop_event.is_set():
            control.should_training_stop = True
            control.should_save = True  # a checkpoint at this step, so the run can be resumed

    def close(self):
        if self._file is not None:
            self._file.close()
