"""Start Alignment Studio: `python app.py [--host H] [--port P] [--share] [--model NAME] [--runs-dir DIR]`."""

import argparse
import logging
import os
from pathlib import Path

import studio  # noqa: F401  (sets the no-telemetry defaults before gradio is imported)
from studio.methods.rewards import CUSTOM_CODE_ENV
from studio.models import BUNDLED_MODEL, TRUSTED_MODEL_ENV
from studio.redact import RedactingFilter
from studio.limits import withhold_operator_token
from studio.shared import on_a_space


def bound_log_lines() -> None:
    """Every line the app logs is redacted and bounded (a visitor's input can't write a 700 MB line)."""
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())


def patient_self_check(seconds: float = 60.0) -> None:
    """Gradio's launch asks its own server for "/" and gives up after one 3-second timeout ("When localhost is not
    accessible, a shareable link must be created"): on a busy 2-core machine the first page can take longer, and a
    healthy start fails. This asks again until `seconds` have passed; a server that refuses connections still
    fails at once."""
    import time

    import httpx
    from gradio import networking

    quick = networking.url_ok

    def url_ok(url: str) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            try:
                httpx.head(url, timeout=min(10.0, max(1.0, deadline - time.monotonic())), verify=False)
            except httpx.TimeoutException:
                if time.monotonic() < deadline:
                    continue
                return False
            except httpx.HTTPError:
                return False
            return quick(url)

    networking.url_ok = url_ok


SERVER_NICE = 5  # the page's work yields to training when both want the CPU


def lower_server_priority() -> None:
    """From here on, this thread and the threads it starts (the web server's) run at a lower priority than the
    training processes. On Linux a nice value belongs to a thread: the fork server, started by create_app's
    warm-up thread before this, keeps the normal priority, and so does every run forked from it. A tick of the
    live view takes milliseconds either way; what it no longer does is stall a training step that needs both
    cores."""
    try:
        os.nice(SERVER_NICE)
    except OSError:  # not permitted here: the server keeps its priority
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description="Alignment Studio")
    # On a Hugging Face Space (or in Docker) Gradio's own variables say where to listen.
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    parser.add_argument("--share", action="store_true", help="also serve through a public gradio.live link")
    parser.add_argument("--model", default=BUNDLED_MODEL, help="default model: bundled, hub id or local folder")
    parser.add_argument("--runs-dir", default=None, help="where run folders go (default: ./runs)")
    parser.add_argument("--shared", action="store_true",
                        help="strangers may use this page: limit uploads and paths, no custom code (on with --share "
                             "and on a Hugging Face Space)")
    parser.add_argument("--allow-custom-code", action="store_true",
                        help="let GRPO load reward functions from a local Python file (your own machine only)")
    args = parser.parse_args()
    shared = args.shared or args.share or on_a_space()
    if args.runs_dir:
        os.environ["STUDIO_RUNS_DIR"] = str(Path(args.runs_dir).resolve())  # runs started from here see it too
    bound_log_lines()
    if shared:
        withhold_operator_token()  # visitors' Hub requests go out anonymous
        os.environ[TRUSTED_MODEL_ENV] = args.model
    if args.allow_custom_code:
        if shared:
            parser.error("--allow-custom-code can't be combined with shared mode (--share, --shared or a Space): "
                         "strangers could run code here.")
        os.environ[CUSTOM_CODE_ENV] = "1"
    else:
        os.environ.pop(CUSTOM_CODE_ENV, None)

    from studio.ui import create_app, launch_kwargs, pace_queue

    app = create_app(default_model=args.model, runs_dir=args.runs_dir, shared=shared)
    patient_self_check()
    lower_server_priority()
    pace_queue(app.queue(default_concurrency_limit=4)).launch(server_name=args.host, server_port=args.port,
                                                              share=args.share, **launch_kwargs(app))


if __name__ == "__main__":
    main()
