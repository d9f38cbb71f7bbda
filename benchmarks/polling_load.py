"""Many browser tabs polling while a run trains: does the run slow down, do the ticks stay fast?

Starts the real app (`app.py`) in its own process, starts a run from the CLI-equivalent HTTP path (the
Train tab's Start), then alternates quiet phases and phases where N clients each fire the Train tab's timer
tick once a second, exactly as an open tab does (Gradio's queue protocol: POST queue/join, answers on the
session's SSE stream). The clients are one asyncio loop in this process, so they cost the machine as
little as possible: on a real Space the browsers are elsewhere.

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(model: str, runs_dir: Path, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(runs_dir / "app.log", "w")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--model", model, "--runs-dir",
                             str(runs_dir), "--shared"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
    raise RuntimeError("the app did not start in time")


def dependency(config: dict, api_name: str) -> tuple[int, int | None]:
    """(fn_index, trigger id) of the event whose function is `api_name`."""
    for index, dep in enumerate(config["dependencies"]):
        if dep.get("api_name") == api_name:
            targets = dep.get("targets") or [[None]]
            return dep.get("id", index), targets[0][0]
    raise KeyError(api_name)


class Session:
    """One browser tab: its own session hash and SSE stream, calling events through the queue."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url
        self.hash = uuid.uuid4().hex[:11]
        self.waiting: dict[str, asyncio.Future] = {}
        self.stream: asyncio.Task | None = None

    async def _read(self):
        async with self.client.stream("GET", f"{self.url}/gradio_api/queue/data",
                                      params={"session_hash": self.hash}, timeout=None) as response:
            buffer = ""
            async for chunk in response.aiter_text():
                buffer += chunk
                while "\n\n" in buffer:
                    line, buffer = buffer.split("\n\n", 1)
                    if not line.startswith("data:"):
                        continue
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        future = self.waiting.pop(message.get("event_id"), None)
                        if future is not None and not future.done():
                            future.set_result(message.get("output", {}))
                    elif message.get("msg") == "close_stream":
                        return

    async def call(self, fn_index: int, trigger: int | None, data: list) -> dict:
        response = await self.client.post(f"{self.url}/gradio_api/queue/join", json={
            "data": data, "fn_index": fn_index, "session_hash": self.hash, "trigger_id": trigger,
            "event_data": None})
        response.raise_for_status()
        event_id = response.json()["event_id"]
        future = asyncio.get_running_loop().create_future()
        self.waiting[event_id] = future
        if self.stream is None or self.stream.done():
            self.stream = asyncio.create_task(self._read())
        return await asyncio.wait_for(future, timeout=30)

    async def close(self):
        if self.stream is not None:
            self.stream.cancel()


async def poll(url: str, clients: int, seconds: float, interval: float = 1.0) -> list[float]:
    """`clients` tabs, each firing the Train tab's tick every `interval` s for `seconds`; the latencies (s)."""
    import httpx

    limits = httpx.Limits(max_connections=clients * 2 + 4)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        config = (await client.get(f"{url}/config")).json()
        fn_index, trigger = dependency(config, "on_tick")
        latencies: list[float] = []

        async def tab(number: int):
            session = Session(client, url)
            shown, visitor = "", uuid.uuid4().hex
            await asyncio.sleep(interval * number / max(clients, 1))  # tabs opened at different moments
            end = time.perf_counter() + seconds
            try:
                while time.perf_counter() < end:
                    began = time.perf_counter()
                    output = await session.call(fn_index, trigger, [shown, 0, visitor])
                    latencies.append(time.perf_counter() - began)
                    data = output.get("data") or []
                    if len(data) > 3 and isinstance(data[3], str):
                        shown = data[3]  # like the page: the plot is sent only when it changed
                    await asyncio.sleep(max(0.0, interval - (time.perf_counter() - began)))
            finally:
                await session.close()

        await asyncio.gather(*(tab(i) for i in range(clients)))
        return latencies


async def start_run(url: str, config_yaml: str) -> None:
    import httpx

    async with httpx.AsyncClient(timeout=60) as client:
        config = (await client.get(f"{url}/config")).json()
        fn_index, trigger = dependency(config, "on_start")
        await Session(client, url).call(fn_index, trigger, [config_yaml, uuid.uuid4().hex])


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


def measure(model: str, dataset: str, runs_dir: Path, clients: int = 20, phase_seconds: float = 20,
            phases: int = 2, max_steps: int = 100000, extra: str = "") -> dict:
    """Alternate quiet and loaded phases while one run trains; the medians and the tick latencies."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    proc, url = start_app(model, runs_dir)
    try:
        config = (f"method: sft\ndataset: {dataset}\nmodel_name_or_path: {model}\nuse_peft: true\n"
                  f"max_steps: {max_steps}\nper_device_train_batch_size: 2\nmax_length: 64\nlearning_rate: 1.0e-4\n"
                  f"logging_steps: 1\nsave_strategy: 'no'\nholdout_rows: 0\n{extra}")
        asyncio.run(start_run(url, config))
        run_dir = next(p for p in runs_dir.iterdir() if (p / "status.json").is_file())
        deadline = time.time() + 300
        while time.time() < deadline and len(step_times(run_dir) if (run_dir / "metrics.jsonl").exists() else []) < 3:
            time.sleep(0.5)  # warmed up: model loaded, first steps done
        windows, latencies = {"quiet": [], "loaded": []}, []
        for _ in range(phases):
            began = time.time()
            time.sleep(phase_seconds)
            windows["quiet"].append((began, time.time()))
            began = time.time()
            latencies += asyncio.run(poll(url, clients, phase_seconds))
            windows["loaded"].append((began, time.time()))
        points = step_times(run_dir)
        quiet = [rate(points, *w) for w in windows["quiet"]]
        loaded = [rate(points, *w) for w in windows["loaded"]]
        latencies.sort()
        return {
            "clients": clients, "phase_seconds": phase_seconds, "phases": phases,
            "quiet_steps_per_s": quiet, "loaded_steps_per_s": loaded,
            "throughput_ratio": statistics.median(loaded) / statistics.median(quiet),
            "ticks": len(latencies),
            "tick_p50_ms": 1000 * latencies[len(latencies) // 2],
            "tick_p95_ms": 1000 * latencies[int(len(latencies) * 0.95) - 1],
            "tick_max_ms": 1000 * latencies[-1],
            "metrics_lines": len(points), "run_dir": str(run_dir),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="SmolLM2-135M-Instruct")
    parser.add_argument("--dataset", default=str(ROOT / "presets" / "data" / "sft_pirate_chats.jsonl"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--phase-seconds", type=float, default=30)
    parser.add_argument("--phases", type=int, default=3)
    parser.add_argument("--runs-dir", default="/tmp/studio-polling-bench")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "polling_load.json"))
    args = parser.parse_args()
    import shutil

    shutil.rmtree(args.runs_dir, ignore_errors=True)
    result = measure(args.model, args.dataset, Path(args.runs_dir), args.clients, args.phase_seconds, args.phases)
    result["model"] = args.model
    print(json.dumps(result, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
