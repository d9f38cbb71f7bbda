"""A stand-in for the Hugging Face Hub on the loopback address, for tests of what the studio sends to a hub.

It records every request (method, path, Authorization header) and serves just enough of the Hub's API for
`huggingface_hub`: dataset and model info, file downloads (a model repo whose config asks for its own
Python code, which writes a marker file when imported), repo creation and the first step of an upload. Start
it with `FakeHub()`, point HF_ENDPOINT at `hub.url`, read `hub.requests`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SHA = "0123456789abcdef0123456789abcdef01234567"
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def remote_code_repo(marker: Path) -> dict[str, bytes]:
    """A model repository whose config maps the auto classes to its own module: loading it with
    trust_remote_code=True imports that module, which writes `marker`."""
    config = {
        "architectures": ["EvilModel"], "model_type": "evil",
        "auto_map": {"AutoConfig": "modeling_evil.EvilConfig",
                     "AutoModelForSequenceClassification": "modeling_evil.EvilModel"},
    }
    module = (f"from pathlib import Path\nPath({str(marker)!r}).write_text('the repo ran its code')\n"
              "from transformers import PretrainedConfig\n"
              "class EvilConfig(PretrainedConfig):\n    model_type = 'evil'\n")
    return {"config.json": json.dumps(config).encode(), "modeling_evil.py": module.encode()}


class FakeHub:
    def __init__(self, marker: Path | None = None):
        self.requests: list[dict] = []
        self.marker = marker or Path("/nonexistent/marker")
        self.models = {"evil/remote-code": remote_code_repo(self.marker)}
        self.datasets = {"someone/private-set": {"data.jsonl": b'{"prompt": "a", "completion": "b"}\n'},
                         "someone/huge-set": {"data.jsonl": b"{}\n"}}
        self.sizes = {"someone/huge-set": 10 * 2**30}
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                hub.requests.append({"method": self.command, "path": self.path,
                                     "authorization": self.headers.get("Authorization", ""), "body": body[:2000]})

            def _send(self, status: int, body: bytes = b"", kind: str = "application/json", headers=None,
                      head: bool = False):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _json(self, status: int, value, head: bool = False):
                self._send(status, json.dumps(value).encode(), head=head)

            def _route(self, head: bool = False):
                self._record()
                path = self.path.split("?", 1)[0]
                parts = [p for p in path.split("/") if p]
                if path == "/pixel.png":
                    return self._send(200, PIXEL, "image/gif", head=head)
                if len(parts) >= 4 and parts[0] == "api" and parts[1] in ("models", "datasets"):
                    repos = hub.models if parts[1] == "models" else hub.datasets
                    repo = f"{parts[2]}/{parts[3]}"
                    if len(parts) >= 5 and parts[4] == "preupload":
                        return self._json(403, {"error": "this fake hub takes no uploads"})
                    if repo not in repos:
                        return self._json(404, {"error": "Repository not found"},)
                    size = hub.sizes.get(repo)
                    if len(parts) >= 5 and parts[4] == "tree":
                        return self._json(200, [{"type": "file", "path": name, "size": size or len(data),
                                                 "oid": hashlib.sha1(data).hexdigest()}
                                                for name, data in repos[repo].items()], head=head)
                    siblings = [{"rfilename": name, "size": size or len(data)} for name, data in repos[repo].items()]
                    return self._json(200, {"id": repo, "sha": SHA, "siblings": siblings, "private": False,
                                            "tags": [], "downloads": 0, "likes": 0}, head=head)
                if parts[:3] == ["api", "repos", "create"]:
                    return self._json(200, {"url": f"{hub.url}/someone/new", "name": "someone/new"})
                # File downloads: /{org}/{name}/resolve/{revision}/{file} (datasets under /datasets/…)
                if "resolve" in parts:
                    at = parts.index("resolve")
                    repo_parts = parts[:at]
                    kind = hub.datasets if repo_parts and repo_parts[0] == "datasets" else hub.models
                    repo = "/".join(repo_parts[-2:])
                    name = "/".join(parts[at + 2:])
                    data = kind.get(repo, {}).get(name)
                    if data is None:
                        return self._json(404, {"error": "Entry not found"}, head=head)
                    etag = hashlib.sha256(data).hexdigest()
                    return self._send(200, data, "application/octet-stream", head=head,
                                      headers={"ETag": f'"{etag}"', "X-Repo-Commit": SHA})
                return self._json(404, {"error": "not here"}, head=head)

            def do_GET(self):
                self._route()

            def do_HEAD(self):
                self._route(head=True)

            def do_POST(self):
                self._route()

            def do_PUT(self):
                self._route()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def with_token(self, token: str) -> list[dict]:
        return [r for r in self.requests if token in r["authorization"]]

    def to(self, fragment: str) -> list[dict]:
        return [r for r in self.requests if fragment in r["path"]]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
