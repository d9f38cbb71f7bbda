"""Runs tab: every run folder on disk, curves of several runs overlaid, a run's config, resume, delete."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pandas as pd

from ..evaluation.verdict import read_summary, summary_line
from ..methods.registry import METHODS
from ..training.health import health_markdown
from ..training.runs import list_runs, read_metrics
from ..services import Outcome, client_address
from .curves import smooth
from .notify import info, warn

COLUMNS = ["run", "state", "method", "model", "dataset", "steps", "duration", "final loss", "verdict", "message"]


def _duration(run: dict) -> str:
    start, end = run.get("started_at"), run.get("finished_at") or run.get("updated_at")
    if not start or not end:
        return ""
    seconds = max(0, end - start)
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _total(run: dict) -> str:
    total = run.get("max_steps")
    return str(total) if isinstance(total, int) and total > 0 else "?"


def verdict_cell(summary: dict) -> str:
    """The verdict word and its interval, short enough for a column: "improved · 70% (55–82%)"."""
    if not summary:
        return ""
    if "ci_low" not in summary:
        return summary_line(summary)[:60]
    interval = f"{summary['ci_low']:.0%}–{summary['ci_high']:.0%}"
    return f"{summary.get('verdict', '')} · {summary['win_rate']:.0%} ({interval})"


COLUMN_WIDTHS = ["15%", "7%", "6%", "10%", "10%", "6%", "6%", "6%", "14%", "20%"]


def runs_frame(runs: list[dict], owner: str = "", visible=str) -> pd.DataFrame:
    """`owner`: in shared mode the visitor's hash; their runs are marked "(yours)". `visible`: how a message
    is shown to this visitor (no server paths in shared mode)."""
    rows = []
    for run in runs:
        losses = [m["loss"] for m in read_metrics(Path(run["run_dir"])) if isinstance(m.get("loss"), (int, float))]
        name = run["name"] + (" (yours)" if owner and run.get("owner") == owner else "")
        rows.append([name, run.get("state", ""), run.get("method", ""), Path(str(run.get("model", ""))).name,
                     Path(str(run.get("dataset", ""))).name, f"{run.get('step', 0)}/{_total(run)}",
                     _duration(run), f"{losses[-1]:.4g}" if losses else "",
                     verdict_cell(read_summary(run["run_dir"])), visible(run.get("message", ""))])
    return pd.DataFrame(rows, columns=COLUMNS)


ARENA_COLUMNS = ["arena", "state", "methods", "outcome"]


def arenas_frame(runs_dir) -> pd.DataFrame:
    from ..training.arena import arena_rows, arena_sentence, arena_state, list_arenas

    rows = [[a.id, arena_state(a, runs_dir), ", ".join(METHODS[m].name for m in a.methods),
             arena_sentence(arena_rows(a, runs_dir))] for a in list_arenas(runs_dir)]
    return pd.DataFrame(rows, columns=ARENA_COLUMNS)


def run_choices(runs: list[dict]) -> list[tuple[str, str]]:
    """(label, run folder name): the page names runs by name; the server finds them in its runs folder."""
    return [(f"{r['name']} · {METHODS[r['method']].name if r.get('method') in METHODS else '?'} · {r.get('state')}",
             r["name"]) for r in runs]


def overlay_figure(run_dirs: list[str], metric: str, smoothing: float = 0.0):
    import plotly.graph_objects as go

    fig = go.Figure()
    for run_dir in run_dirs:
        series = [m for m in read_metrics(Path(run_dir)) if isinstance(m.get(metric), (int, float))]
        fig.add_trace(go.Scatter(x=[m["step"] for m in series], y=smooth([m[metric] for m in series], smoothing),
                                 mode="lines", name=Path(run_dir).name))
    fig.update_layout(height=380, margin=dict(l=40, r=20, t=30, b=30), xaxis_title="step", yaxis_title=metric,
                      legend=dict(orientation="h", y=-0.2))
    return fig


def build_runs_tab(ctx, visitor):
    refresh = gr.Button("↻ Refresh", size="sm")
    table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="runs-table", max_height=320,
                         column_widths=COLUMN_WIDTHS)
    with gr.Row():
        picked = gr.Dropdown([], multiselect=True, label="Runs to overlay", scale=3, elem_id="runs-picked")
        metric = gr.Dropdown(["loss"], value="loss", label="Metric", allow_custom_value=True, scale=1)
        smoothing = gr.Slider(0, 0.95, value=0, step=0.05, label="Smoothing", scale=1)
    overlay = gr.Plot(label="Overlay", elem_id="runs-overlay")
    gr.Markdown("#### One run")
    with gr.Row():
        one = gr.Dropdown([], label="Run", scale=3, elem_id="runs-one")
        resume = gr.Button("Resume", scale=1)
        rerun = gr.Button("Run again with this config", scale=1)
        delete = gr.Button("Delete…", variant="stop", scale=1)
    confirm = gr.Checkbox(False, label="Yes, delete this run folder and everything in it", visible=False)
    run_health = gr.Markdown()
    run_config = gr.Code(language="yaml", label="config.yaml (copy it into the Train tab's config to re-run)",
                         interactive=False)

    def on_refresh(who=None):
        runs = list_runs(ctx.runs_dir, ctx.runner.active_dirs())
        choices = run_choices(runs)
        return runs_frame(runs, ctx.owner(who), ctx.visible), gr.update(choices=choices), gr.update(choices=choices)


    def on_overlay(run_dirs, name, smooth):
        try:
            run_dirs = [str(ctx.policy.check_run_dir(d)) for d in (run_dirs or [])[:12]]
        except ValueError as exc:
            warn(ctx, exc)
            return gr.skip(), gr.skip()
        keys = sorted({k for d in run_dirs or [] for m in read_metrics(Path(d)) for k, v in m.items()
                       if isinstance(v, (int, float)) and k not in ("step", "epoch", "time")})
        return overlay_figure(run_dirs or [], name or "loss", smooth), gr.update(choices=keys or ["loss"])

    for trigger in (picked.change, metric.change, smoothing.release):
        trigger(on_overlay, inputs=[picked, metric, smoothing], outputs=[overlay, metric])

    def on_one(run_dir):
        if not run_dir:
            return "", "", gr.update(visible=False, value=False)
        try:
            path = ctx.policy.check_run_dir(run_dir)
        except ValueError as exc:
            warn(ctx, exc)
            return "", "", gr.update(visible=False, value=False)
        config = path / "config.yaml"
        shown = ctx.policy.shown_path(config.read_text(encoding="utf-8")) if config.is_file() else ""
        return health_markdown(read_metrics(path)), shown, gr.update(visible=False, value=False)

    one.change(on_one, inputs=one, outputs=[run_health, run_config, confirm])

    def say(outcome) -> bool:
        (info if outcome.ok else warn)(ctx, outcome.message)
        return outcome.ok

    def on_resume(run_dir, who, request: gr.Request):
        if not run_dir:
            return say(Outcome(False, "Pick a run first."))
        say(ctx.resume_run(run_dir, who, client_address(request),
                           started="Run {run} resumes; follow it on the Train tab."))

    resume.click(on_resume, inputs=[one, visitor])

    def on_rerun(run_dir, who, request: gr.Request):
        say(ctx.rerun(run_dir, who, client_address(request)))

    rerun.click(on_rerun, inputs=[one, visitor])
    delete.click(lambda run_dir: gr.update(visible=bool(run_dir), value=False), inputs=one, outputs=confirm)

    def on_confirm(run_dir, sure, who):
        if not sure or not run_dir:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if not say(ctx.delete_run(run_dir, who)):
            return gr.skip(), gr.skip(), gr.skip(), gr.update(value=False)
        runs = list_runs(ctx.runs_dir, ctx.runner.active_dirs())
        return (runs_frame(runs, ctx.owner(who), ctx.visible), gr.update(choices=run_choices(runs), value=[]),
                gr.update(choices=run_choices(runs), value=None), gr.update(visible=False, value=False))

    confirm.input(on_confirm, inputs=[one, confirm, visitor], outputs=[table, picked, one, confirm])

    gr.Markdown("#### Arenas")
    arenas = gr.Dataframe(headers=ARENA_COLUMNS, interactive=False, wrap=True, elem_id="runs-arenas",
                          column_widths=["22%", "10%", "18%", "50%"])
    with gr.Row():
        arena = gr.Dropdown([], label="Arena", scale=4, elem_id="runs-arena")
        open_arena = gr.Button("Open in the Arena tab", scale=1)

    def on_refresh_all(who=None):
        from .arena_tab import arena_choices

        choices = arena_choices(ctx.runs_dir)
        return [*on_refresh(who), arenas_frame(ctx.runs_dir), gr.update(choices=choices,
                                                                        value=choices[0][1] if choices else None)]

    refresh.click(on_refresh_all, inputs=visitor, outputs=[table, picked, one, arenas, arena])
    return on_refresh_all, [table, picked, one, arenas, arena], open_arena, arena
