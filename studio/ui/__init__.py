"""The Gradio face of the studio: `create_app` builds the tabs; the only package importing gradio."""

from __future__ import annotations

import re
import threading
import uuid
from pathlib import Path

import gradio as gr
from fastapi import Request

from ..models import BUNDLED_MODEL
from ..training.runner import Runner, warm_up
from .arena_tab import build_arena_tab
from .compare_tab import build_compare_tab
from ..services import Studio, client_address
from .data_tab import build_data_tab
from .feedback_tab import build_feedback_tab
from .method_tab import build_method_tab
from .runs_tab import build_runs_tab
from .train_tab import LIVE_PATH, build_train_tab

CSS = """
#train-status { min-height: 3em; }
.studio-progress { height: 10px; border-radius: 5px; background: var(--neutral-200, #e5e7eb); overflow: hidden; }
.studio-progress > div { height: 100%; background: var(--primary-500, #6366f1); transition: width 0.5s; }
footer { display: none !important; }
"""


QUEUE_POLL_S = 0.02  # how often an idle queue looks for new events (Gradio's own: every 1 ms on Linux)
QUEUE_PROGRESS_S = 0.1  # ... and for progress to send (Gradio's own: every 10 ms)


def pace_queue(app: gr.Blocks) -> gr.Blocks:
    """Slow the idle polling of `app`'s queue (call after `app.queue()`, which makes a new one). Gradio's queue
    wakes a thousand times a second while nothing is queued, about 4-6% of a core for an app nobody uses, and
    each wake-up can preempt a training step's thread on a small machine; 20 ms adds at most that to an
    event's start, which nobody sees. Gradio has no setting for it (an attribute of its Queue), hence this."""
    queue = getattr(app, "_queue", None)
    if queue is not None and hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = max(queue.sleep_when_free, QUEUE_POLL_S)
        queue.progress_update_sleep_when_free = max(getattr(queue, "progress_update_sleep_when_free", 0),
                                                    QUEUE_PROGRESS_S)
    return app


def launch_kwargs(app: gr.Blocks | None = None) -> dict:
    """Gradio 6 takes theme and css at launch time; the studio's own routes go to its FastAPI app."""
    kwargs = {"theme": gr.themes.Soft(), "css": CSS}
    if app is not None and getattr(app, "studio_routes", None):
        kwargs["app_kwargs"] = {"routes": list(app.studio_routes)}
    ctx = getattr(app, "studio_context", None)
    if ctx is not None and ctx.shared:
        # One upload cap for the whole app: Gradio refuses bigger uploads before any handler sees them.
        kwargs["max_file_size"] = ctx.limits.upload_bytes
    return kwargs


def browser_secret(runs_dir: Path) -> str:
    """The key the browser id is stored under, kept in the runs folder so a restart (a Space waking up)
    still recognises each visitor's browser, and so their runs."""
    path = Path(runs_dir) / ".browser-secret"
    try:
        return path.read_text(encoding="utf-8").strip() or _new_secret(path)
    except FileNotFoundError:
        return _new_secret(path)


def _new_secret(path: Path) -> str:
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(24)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


VISITOR_ID = re.compile(r"^[0-9a-f]{32}$")


def live_route(ctx: Studio):
    """GET LIVE_PATH → the Train tab's live state as JSON for the visitor named in the X-Studio-Visitor
    header (a header, so the id never appears in an access log). A plain route: no Gradio event per tick."""
    from fastapi.responses import ORJSONResponse
    from fastapi.routing import APIRoute

    async def live(request: Request):
        who = request.headers.get("x-studio-visitor") or ""
        who = who if VISITOR_ID.match(who) else None  # ids are uuid4 hex; anything else watches anonymously
        status, progress, key, every = ctx.live(who, client_address(request)) if ctx.live else ("", "", "", 1)
        return ORJSONResponse({"status": status, "progress": progress, "key": key, "every": every},
                              headers={"Cache-Control": "no-store"})

    return APIRoute(LIVE_PATH, live, methods=["GET"], include_in_schema=False)


def create_app(default_model: str = BUNDLED_MODEL, runs_dir: str | Path | None = None,
               runner: Runner | None = None, shared: bool = False) -> gr.Blocks:
    """`shared`: strangers may use this page (a Space, --share): see studio/shared.py for what that limits."""
    ctx = Studio(runner=runner or Runner(runs_dir), default_model=default_model, shared=shared)
    # The fork server every run starts from imports torch, transformers and TRL once: now, not at the first Start.
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    # A shared studio's visitors make Gradio copy files into its cache (downloads, uploads): hourly, files older
    # than a day go.
    with gr.Blocks(title="Alignment Studio", delete_cache=(3600, 86400) if shared else None) as app:
        gr.Markdown("# Alignment Studio\nBring a dataset, get the method that fits, train it, and see what "
                    "changed — or let every method that fits compete on your data in the Arena: SFT, reward "
                    "model + PPO, DPO (and its family), KTO, ORPO, SimPO/CPO, GRPO and RLOO on TRL.")
        dataset_state = gr.State(None)
        method_state = gr.State(None)
        # A random id kept in this browser's localStorage: in shared mode it says which runs are this
        # visitor's (a reload or a second tab of the same browser keeps it).
        visitor = gr.BrowserState(None, storage_key="alignment-studio-visitor", secret=browser_secret(ctx.runs_dir))
        with gr.Tabs() as tabs:
            with gr.Tab("1 · Data", id="data"):
                to_method = build_data_tab(ctx, dataset_state)
            with gr.Tab("2 · Method", id="method"):
                to_train = build_method_tab(ctx, dataset_state, method_state)
            with gr.Tab("3 · Train", id="train"):
                train = build_train_tab(ctx, dataset_state, method_state, visitor)
            with gr.Tab("4 · Compare", id="compare") as compare_tab:
                refresh_runs, run_picker = build_compare_tab(ctx, visitor)
            with gr.Tab("5 · Arena", id="arena") as arena_tab:
                refresh_arena, arena_outputs, arena_picker = build_arena_tab(ctx, dataset_state, visitor)
            with gr.Tab("6 · Feedback", id="feedback") as feedback_tab:
                feedback = build_feedback_tab(ctx, dataset_state, visitor)
            with gr.Tab("Runs", id="runs") as runs_tab:
                refresh_history, history_outputs, open_arena, arena_wanted = build_runs_tab(ctx, visitor)
        to_method.click(lambda: gr.Tabs(selected="method"), outputs=tabs)
        # One event: the recommended method on the Train tab, and the Train tab shown (nothing in between).
        to_train.click(train.use_recommendation, inputs=[method_state, dataset_state], outputs=[tabs, *train.shown])
        compare_tab.select(refresh_runs, outputs=run_picker)
        runs_tab.select(refresh_history, inputs=visitor, outputs=history_outputs)
        arena_tab.select(refresh_arena, inputs=arena_picker, outputs=arena_outputs)
        feedback_tab.select(feedback.refresh, inputs=feedback.inputs, outputs=feedback.outputs)
        # The Runs tab lists saved arenas; "Open in the Arena tab" shows the one picked there.
        open_arena.click(lambda wanted: [gr.Tabs(selected="arena"), *refresh_arena(wanted)], inputs=arena_wanted,
                         outputs=[tabs, *arena_outputs])
        app.load(lambda known: known or uuid.uuid4().hex, inputs=visitor, outputs=visitor)
    app.studio_routes = [live_route(ctx)]
    app.studio_context = ctx
    return app
