"""Many browser tabs polling while a run trains: does the run slow down, do the ticks stay fast?

Starts the real app (`app.py`) in its own process, starts a run through the Train tab's Start event (Gradio's
queue protocol: POST queue/join, answers on the session's SSE stream), then alternates quiet phases and
phases where N clients each tick once a second, as an open tab does. The clients are one asyncio loop in this
process, so they cost the machine as
little as possible: on a real Space the browsers are elsewhere.

A tick is what the page's timer does: a GET of the studio's live route (status, progress, curve key), and,
when the curve key changed, the Gradio event that redraws the plot.

Reported: the run's step rate in quiet vs loaded phases (alternated, medians), and the tick latency
(p50/p95/max) as the clients see it.

    .venv/bin/python benchmarks/polling_load.py                  # bundled model, 20 clients
    .venv/bin/python benchmarks/polling_load.py --model DIR --clients 20 --phase-seconds 20 --phases 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from studio.ui.train_tab import LIVE_PATH, TICK_SECONDS  # noqa: E402


def run_async(coroutine):
    """asyncio.run in a thread of its own: works even where the caller already runs an event loop (a test
    process that drives a browser with Playwright does)."""
    import threading

    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the caller
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="polling-clients")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(model: str, runs_dir: Path, shared: bool = True, timeout: float = 120,
              env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`python app.py` on a free port with `model` and `runs_dir` (its output in runs_dir/app.log); returns the
    process and the base URL once the page answers. The browser tests start their apps with it too. `env`:
    variables to set (or, with None values, to remove) in the app's environment."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
           **(env or {})}
    env = {k: v for k, v in env.items() if v is not None}
    command = [sys.executable, "app.py", "--port", str(port), "--model", model, "--runs-dir", str(runs_dir)]
    with open(runs_dir / "app.log", "w") as log:  # the child keeps its own handle
        proc = subprocess.Popen(command + (["--shared"] if shared else []), cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    proc.runs_dir = runs_dir  # stop_app ends the runs this app started
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the app exited:\n" + (runs_dir / "app.log").read_text())
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the app did not start in time:\n" + (runs_dir / "app.log").read_text())


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the app, and the runs it started: a run outlives its app (by design), but not a test's or a
    benchmark's app."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    end_runs(getattr(proc, "runs_dir", None))


def end_runs(runs_dir: Path | None) -> None:
    """SIGKILL the process group of every run under `runs_dir` that is still training."""
    import signal

    from studio.training.runs import RunFolder, training_process_alive

    if runs_dir is None or not Path(runs_dir).is_dir():
        return
    for path in Path(runs_dir).iterdir():
        status = RunFolder(path).read_status() if path.is_dir() else {}
        if status.get("state") in ("starting", "running") and training_process_alive(status):
            try:
                os.killpg(int(status["pid"]), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def dependency(config: dict, api_name: str) -> tuple[int, int | None]:
    """(fn_index, trigger id) of the event whose function is `api_name`."""
    for index, dep in enumerate(config["dependencies"]):
        if dep.get("api_name") == api_name:
            targets = dep.get("targets") or [[None]]
            return dep.get("id", index), targets[0][0]
    raise KeyError(api_name)


def queued(config: dict, api_name: str) -> bool:
    """Whether the page's client calls `api_name` through the queue (else: one POST of /run/predict)."""
    return next(dep.get("queue", True) is not False for dep in config["dependencies"]
                if dep.get("api_name") == api_name)


class Session:
    """One browser tab: its own session hash and SSE stream, calling events through the queue. The server
    closes a session's stream when nothing is pending; the reader reconnects while calls wait."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url
        self.hash = uuid.uuid4().hex[:11]
        self.results: dict[str, asyncio.Future] = {}
        self.pending = 0
        self.stream: asyncio.Task | None = None

    def _future(self, event_id: str) -> asyncio.Future:
        if event_id not in self.results:
            self.results[event_id] = asyncio.get_running_loop().create_future()
        return self.results[event_id]

    async def _read(self):
        while self.pending > 0:
            async with self.client.stream("GET", f"{self.url}/gradio_api/queue/data",
                                          params={"session_hash": self.hash}, timeout=None) as response:
                buffer = ""
                async for chunk in response.aiter_text():
                    buffer += chunk
                    closed = False
                    while "\n\n" in buffer:
                        line, buffer = buffer.split("\n\n", 1)
                        if not line.startswith("data:"):
                            continue
                        message = json.loads(line[5:])
                        if message.get("msg") == "process_completed":
                            future = self._future(message.get("event_id"))
                            if not future.done():
                                future.set_result(message.get("output", {}))
                        elif message.get("msg") == "close_stream":
                            closed = True
                    if closed:
                        break

    async def post(self, fn_index: int, trigger: int | None, data: list) -> dict:
        """An event that isn't queued, as the page's client sends it: one POST, answered with the result."""
        response = await self.client.post(f"{self.url}/gradio_api/run/predict", json={
            "data": data, "fn_index": fn_index, "session_hash": self.hash, "trigger_id": trigger,
            "event_data": None})
        response.raise_for_status()
        return response.json()

    async def call(self, fn_index: int, trigger: int | None, data: list) -> dict:
        self.pending += 1
        try:
            response = await self.client.post(f"{self.url}/gradio_api/queue/join", json={
                "data": data, "fn_index": fn_index, "session_hash": self.hash, "trigger_id": trigger,
                "event_data": None})
            response.raise_for_status()
            event_id = response.json()["event_id"]
            future = self._future(event_id)
            if self.stream is None or self.stream.done():
                self.stream = asyncio.create_task(self._read())
            result = await asyncio.wait_for(future, timeout=30)
            self.results.pop(event_id, None)
            return result
        finally:
            self.pending -= 1

    async def close(self):
        if self.stream is not None:
            self.stream.cancel()


class Tabs:
    """`clients` open tabs: each has its session (opened once, like a page load: first tick, first plot)
    and, while `ticking`, fires the Train tab's tick every `interval` s."""

    def __init__(self, client, url: str, clients: int, interval: float = 1.0, one_address: bool = False):
        self.client, self.url, self.clients, self.interval = client, url, clients, interval
        self.one_address = one_address
        self.latencies: list[float] = []
        self.redraws = 0
        self.ticking = False
        self.tabs = []

    async def open(self):
        config = (await self.client.get(f"{self.url}/config")).json()
        self.curves = dependency(config, "on_curves")
        self.curves_queued = queued(config, "on_curves")
        # Each tab a visitor of its own network, as a Space's proxy reports them (X-Forwarded-For); with
        # `one_address` all come from one, which counts as at most MAX_VIEWERS_PER_ADDRESS watchers.
        self.tabs = [{"session": Session(self.client, self.url), "shown": "", "visitor": uuid.uuid4().hex,
                      "address": "198.51.100.1" if self.one_address else f"198.51.100.{i % 250 + 1}"}
                     for i in range(self.clients)]
        await asyncio.gather(*(self._tick(tab, record=False) for tab in self.tabs))

    async def _tick(self, tab: dict, record: bool = True):
        began = time.perf_counter()
        answer = await self.client.get(f"{self.url}{LIVE_PATH}", headers={"X-Studio-Visitor": tab["visitor"],
                                                                          "X-Forwarded-For": tab["address"]})
        answer.raise_for_status()
        if record:
            self.latencies.append(time.perf_counter() - began)
        live = answer.json()
        key, tab["every"] = live["key"], live.get("every", 1)  # the page asks every `every` ticks
        if key != tab["shown"]:  # like the page: the curve key changed → a Gradio event redraws the plot
            tab["shown"] = key
            self.redraws += record
            session = tab["session"]
            await (session.call if self.curves_queued else session.post)(*self.curves, [key, 0])

    async def tick_for(self, seconds: float):
        async def one(number: int, tab: dict):
            await asyncio.sleep(self.interval * number / max(self.clients, 1))  # tabs tick at different moments
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                began = time.perf_counter()
                await self._tick(tab)
                wait = self.interval * tab.get("every", 1)
                await asyncio.sleep(max(0.0, wait - (time.perf_counter() - began)))

        await asyncio.gather(*(one(i, tab) for i, tab in enumerate(self.tabs)))

    async def close(self):
        for tab in self.tabs:
            await tab["session"].close()


async def start_run(url: str, config_yaml: str) -> None:
    import httpx

    async with httpx.AsyncClient(timeout=60) as client:
        config = (await client.get(f"{url}/config")).json()
        fn_index, trigger = dependency(config, "on_start")
        inputs = next(dep["inputs"] for index, dep in enumerate(config["dependencies"])
                      if dep.get("id", index) == fn_index)
        # the config and the visitor; the quick fields Start also reads are left out (None), as a script would
        data = [config_yaml, uuid.uuid4().hex] + [None] * (len(inputs) - 2)
        await Session(client, url).call(fn_index, trigger, data)


def step_times(run_dir: Path) -> list[tuple[int, float]]:
    """(step, wall-clock time) per logged step: metric times count from the run's start."""
    started = json.loads((run_dir / "status.json").read_text(encoding="utf-8"))["started_at"]
    points = []
    for line in (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "loss" in row and row.get("time"):
            points.append((row["step"], started + row["time"]))
    return points


def rate(points: list[tuple[int, float]], start: float, end: float) -> float:
    """Steps per second between two wall-clock moments, from the metric timestamps."""
    inside = [(s, t) for s, t in points if start <= t <= end]
    if len(inside) < 2:
        return float("nan")
    return (inside[-1][0] - inside[0][0]) / (inside[-1][1] - inside[0][1])


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of every thread of process `pid` so far (not its children's)."""
    import psutil  # installed with accelerate, peft and trl

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


async def _phases(url: str, clients: int, phase_seconds: float, phases: int, interval: float,
                  one_address: bool = False, server_pid: int | None = None, client_nice: int = 0):
    """Open the tabs once, then alternate: tabs idle (as if in the background) / tabs ticking. Also the CPU the
    server's process and the clients' loop spend while the tabs tick (cores in use on average)."""
    import httpx

    if client_nice:
        os.nice(client_nice)  # this thread only (Linux): the simulated tabs, not the server or the run
    windows = {"quiet": [], "loaded": [], "server_cpu_s": 0.0, "server_idle_cpu_s": 0.0, "client_cpu_s": 0.0}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=clients * 2 + 4), timeout=30) as client:
        tabs = Tabs(client, url, clients, interval, one_address)
        await tabs.open()
        for _ in range(phases):
            began, server = time.time(), process_cpu_seconds(server_pid) if server_pid else 0
            await asyncio.sleep(phase_seconds)
            windows["quiet"].append((began, time.time()))
            windows["server_idle_cpu_s"] += (process_cpu_seconds(server_pid) - server) if server_pid else 0
            began, server, own = time.time(), process_cpu_seconds(server_pid) if server_pid else 0, time.thread_time()
            await tabs.tick_for(phase_seconds)
            windows["loaded"].append((began, time.time()))
            windows["server_cpu_s"] += (process_cpu_seconds(server_pid) - server) if server_pid else 0
            windows["client_cpu_s"] += time.thread_time() - own
        await tabs.close()
    return windows, tabs


def measure(model: str, dataset: str, runs_dir: Path, clients: int = 20, phase_seconds: float = 20,
            phases: int = 2, max_steps: int = 100000, extra: str = "", interval: float | None = None,
            one_address: bool = False, client_nice: int = 0) -> dict:
    """Open `clients` tabs on a training run, then alternate phases where they are idle and where they tick;
    the step rates (medians) and the tick latencies."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    interval = interval or TICK_SECONDS
    # A shared studio whose operator allows one long run (the run must outlast every phase).
    proc, url = start_app(model, runs_dir, env={"STUDIO_SHARED_MAX_STEPS": str(max_steps),
                                                "STUDIO_SHARED_RUN_MINUTES": "600"})
    try:
        config = (f"method: sft\ndataset: {dataset}\nmodel_name_or_path: {model}\nuse_peft: true\n"
                  f"max_steps: {max_steps}\nper_device_train_batch_size: 2\nmax_length: 64\nlearning_rate: 1.0e-4\n"
                  f"logging_steps: 1\nsave_strategy: 'no'\nholdout_rows: 0\n{extra}")
        run_async(start_run(url, config))
        run_dir = next(p for p in runs_dir.iterdir() if (p / "status.json").is_file())
        deadline = time.time() + 300
        while time.time() < deadline and len(step_times(run_dir) if (run_dir / "metrics.jsonl").exists() else []) < 3:
            time.sleep(0.5)  # warmed up: model loaded, first steps done
        windows, tabs = run_async(_phases(url, clients, phase_seconds, phases, interval, one_address, proc.pid,
                                          client_nice))
        ticking = sum(end - start for start, end in windows["loaded"])
        points = step_times(run_dir)
        quiet = [rate(points, *w) for w in windows["quiet"]]
        loaded = [rate(points, *w) for w in windows["loaded"]]
        latencies = sorted(tabs.latencies)
        return {
            "clients": clients, "addresses": 1 if one_address else min(clients, 250), "tick_interval_s": interval,
            "phase_seconds": phase_seconds, "phases": phases,
            "quiet_steps_per_s": quiet, "loaded_steps_per_s": loaded,
            "throughput_ratio": statistics.median(loaded) / statistics.median(quiet),
            "ticks": len(latencies),
            "tick_p50_ms": 1000 * latencies[len(latencies) // 2],
            "tick_p95_ms": 1000 * latencies[int(len(latencies) * 0.95) - 1],
            "tick_max_ms": 1000 * latencies[-1],
            "plot_redraws_while_ticking": tabs.redraws,
            "server_cores_while_ticking": round(windows["server_cpu_s"] / ticking, 3),
            "server_cores_while_idle": round(windows["server_idle_cpu_s"] / sum(b - a for a, b in windows["quiet"]), 3),
            "client_cores_while_ticking": round(windows["client_cpu_s"] / ticking, 3), "client_nice": client_nice,
            "metrics_lines": len(points), "run_dir": str(run_dir),
        }
    finally:
        stop_app(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="SmolLM2-135M-Instruct")
    parser.add_argument("--dataset", default=str(ROOT / "presets" / "data" / "sft_pirate_chats.jsonl"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--phase-seconds", type=float, default=30)
    parser.add_argument("--phases", type=int, default=3)
    parser.add_argument("--interval", type=float, help="seconds between a tab's ticks (default: the Train tab's)")
    parser.add_argument("--one-address", action="store_true",
                        help="all tabs from one network address (counted as at most 8 watchers: no crowd throttle)")
    parser.add_argument("--client-nice", type=int, default=0,
                        help="run the simulated tabs at this nice value (on a Space the browsers are elsewhere)")
    parser.add_argument("--runs-dir", default="/tmp/studio-polling-bench")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "polling_load.json"))
    args = parser.parse_args()
    import shutil

    shutil.rmtree(args.runs_dir, ignore_errors=True)
    result = measure(args.model, args.dataset, Path(args.runs_dir), args.clients, args.phase_seconds, args.phases,
                     interval=args.interval, one_address=args.one_address, client_nice=args.client_nice)
    result["model"] = args.model
    print(json.dumps(result, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
