"""A visitor of a running studio, driven through Gradio's own HTTP API the way a script (or a hostile
visitor) would: POST queue/join, read the session's event stream, collect the toasts the handler raised.

    api = StudioAPI(url, visitor="…", address="203.0.113.7")
    answer = api.call("on_start", config_text)   # the visitor id is filled in for BrowserState inputs
    answer.warnings, answer.output
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class Answer:
    output: list | None = None
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def said(self) -> str:
        return " ".join(self.warnings + self.infos + ([self.error] if self.error else []))


class StudioAPI:
    def __init__(self, url: str, visitor: str | None = None, address: str | None = None, timeout: float = 120):
        self.url = url.rstrip("/")
        self.visitor = visitor or uuid.uuid4().hex
        self.headers = {"X-Forwarded-For": address} if address else {}
        self.session = uuid.uuid4().hex[:11]
        self.client = httpx.Client(timeout=timeout, headers=self.headers)
        config = self.client.get(f"{self.url}/config").json()
        self.components = {c["id"]: c for c in config["components"]}
        self.dependencies = {}
        for index, dep in enumerate(config["dependencies"]):
            if dep.get("api_name"):
                self.dependencies[dep["api_name"]] = (dep.get("id", index), dep)

    def _inputs(self, dep: dict, values: tuple) -> list:
        """The event's inputs in order: given values for visible inputs, the visitor id for BrowserState, None
        for server-side State."""
        data, given = [], list(values)
        for component_id in dep["inputs"]:
            kind = self.components[component_id]["type"]
            if kind == "state":
                data.append(None)
            elif kind == "browserstate":
                data.append(self.visitor)
            else:
                data.append(given.pop(0) if given else None)
        if given:
            raise ValueError(f"{len(given)} values too many for {dep.get('api_name')}")
        return data

    def call(self, api_name: str, *values, timeout: float = 120) -> Answer:
        fn_index, dep = self.dependencies[api_name.lstrip("/")]
        trigger = (dep.get("targets") or [[None]])[0][0]
        response = self.client.post(f"{self.url}/gradio_api/queue/join", json={
            "data": self._inputs(dep, values), "fn_index": fn_index, "session_hash": self.session,
            "trigger_id": trigger, "event_data": None})
        if response.status_code != 200:
            return Answer(error=f"HTTP {response.status_code}: {response.text[:300]}")
        event_id = response.json()["event_id"]
        answer = Answer()
        with self.client.stream("GET", f"{self.url}/gradio_api/queue/data", params={"session_hash": self.session},
                                timeout=timeout) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") not in (event_id, None):
                    continue
                kind = message.get("msg")
                if kind == "log":
                    (answer.warnings if message.get("level") == "warning" else answer.infos).append(message["log"])
                elif kind == "process_completed":
                    output = message.get("output") or {}
                    answer.output = output.get("data")
                    if not message.get("success", True):
                        answer.error = output.get("error") or "error"
                    return answer
                elif kind == "close_stream":
                    break
        answer.error = answer.error or "the stream closed before the event completed"
        return answer

    def call_on(self, elem_id: str, *values, timeout: float = 120) -> Answer:
        """The event of the button (or other component) with this elem_id, for handlers whose api_name is ambiguous
        (several tabs' `on_stop`)."""
        ids = {c["id"] for c in self.components.values() if (c.get("props") or {}).get("elem_id") == elem_id}
        for name, (_, dep) in self.dependencies.items():
            if any(target and target[0] in ids for target in dep.get("targets") or []):
                return self.call(name, *values, timeout=timeout)
        raise KeyError(f"no event on #{elem_id}")

    def upload(self, path: Path) -> dict:
        """Upload a file as a page would; returns the FileData to pass to a handler (or raises on refusal)."""
        with open(path, "rb") as handle:
            response = self.client.post(f"{self.url}/gradio_api/upload", files={"files": (Path(path).name, handle)})
        response.raise_for_status()
        server_path = response.json()[0]
        return {"path": server_path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}

    def live(self, visitor: str | None = None) -> dict:
        return self.client.get(f"{self.url}/studio/live",
                               headers={"X-Studio-Visitor": visitor if visitor is not None else self.visitor}).json()

    def close(self):
        self.client.close()
