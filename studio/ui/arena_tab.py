"""Arena tab: every method that fits the Data tab's dataset, one budget, one judge, one table that fills in as
the runs finish, and a chart of win rate (with its interval) against wall time. Saved arenas reopen here."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from ..methods.registry import METHODS
from ..models import model_choices
from ..services import client_address
from ..training.arena import (DEFAULT_BUDGET, HOLDOUT, MIN_HOLDOUT, TABLE_HEADERS, Arena, arena_rows,
                              arena_sentence, arena_state, fewer_held_out, held_out_count, judge_note, list_arenas,
                              methods_for, resume_arena, start_arena, stop_arena, table_rows, write_report)
from ..training.spec import PROJECT_ROOT
from .markup import code, text
from .notify import info, warn

SAMPLE_PAIRS = PROJECT_ROOT / "presets" / "data" / "dpo_helpful_pairs.jsonl"
REFRESH_SECONDS = 3.0


def arena_choices(runs_dir) -> list[tuple[str, str]]:
    return [(f"{a.id} · {len(a.methods)} methods · {a.data.rsplit('/', 1)[-1]}", a.id) for a in list_arenas(runs_dir)]


def arena_figure(rows: list[dict]):
    """Win rate against wall time, each method with its 95% interval; the dashed line is an even split."""
    import plotly.graph_objects as go

    colours = {"improved": "#16a34a", "no clear change": "#6b7280", "regressed": "#dc2626"}
    judged = [r for r in rows if r.get("win_rate") is not None and r.get("wall_s")]
    fig = go.Figure()
    for r in judged:
        fig.add_trace(go.Scatter(
            x=[r["wall_s"]], y=[r["win_rate"]], mode="markers+text", text=[r["method"]], textposition="top center",
            name=r["method"], marker=dict(size=12, color=colours.get(r["verdict"], "#2563eb")),
            error_y=dict(type="data", symmetric=False, array=[r["ci_high"] - r["win_rate"]],
                         arrayminus=[r["win_rate"] - r["ci_low"]])))
    fig.add_hline(y=0.5, line_dash="dash", line_color="#9ca3af")
    fig.update_layout(height=360, margin=dict(l=50, r=20, t=30, b=40), showlegend=False,
                      xaxis_title="wall time (s)", yaxis_title="win rate vs base", yaxis=dict(range=[0, 1.05]),
                      title="judged win rate (95% interval) against wall time")
    return fig


def arena_view(ctx, arena_id: str | None):
    """(sentence, table, chart, timer) for one arena; the timer ticks only while it runs."""
    if not arena_id:
        return "No arena yet.", pd.DataFrame(columns=TABLE_HEADERS), None, gr.Timer(active=False)
    try:
        arena = Arena.load(ctx.runs_dir / "arenas" / arena_id)
    except ValueError as exc:
        return text(str(exc)), pd.DataFrame(columns=TABLE_HEADERS), None, gr.Timer(active=False)
    rows = arena_rows(arena, ctx.runs_dir)
    state = arena_state(arena, ctx.runs_dir)
    if state in ("finished", "stopped", "incomplete"):
        write_report(arena, ctx.runs_dir)
    held_out = held_out_count(arena, ctx.runs_dir) or "?"
    header = (f"**Arena {code(arena.id)}** · {text(state)} · data {code(arena.data.rsplit('/', 1)[-1])} · "
              f"{arena.budget} training examples per method · the same {held_out} held-out rows for all\n\n"
              f"{text(judge_note(arena, ctx.runs_dir) or arena_sentence(rows))}")
    frame = pd.DataFrame(table_rows(rows), columns=TABLE_HEADERS)
    return header, frame, arena_figure(rows), gr.Timer(active=state in ("running", "waiting"))


def build_arena_tab(ctx, dataset_state: gr.State, visitor):
    gr.Markdown("The seed's comparison, made real on your data: every method the decision tree allows for the "
                "dataset trains on the same rows with the same budget, and each is judged on the same held-out "
                "prompts by the same judge (for preference pairs, a reward model trained on the training pairs). "
                "The runs go through the queue one after another; each is an ordinary run with its curves and "
                "verdict on the Runs tab.")
    dataset_note = gr.Markdown(f"Dataset: {code(SAMPLE_PAIRS.name)} (the sample pairs; load yours on the Data tab).",
                               elem_id="arena-dataset")
    with gr.Row():
        model = gr.Dropdown(model_choices(), value=ctx.default_model, allow_custom_value=True, label="Base model",
                            scale=3)
        budget = gr.Number(DEFAULT_BUDGET, label="Training examples per method", precision=0, minimum=1, scale=1,
                           elem_id="arena-budget")
        holdout = gr.Number(HOLDOUT, label="Held-out rows (judged)", precision=0, minimum=MIN_HOLDOUT, scale=1,
                            elem_id="arena-holdout")
        judge = gr.Dropdown(["auto"], value="auto", allow_custom_value=not ctx.shared, label="Judge", scale=2,
                            info="auto, or reward-model:PATH / pairwise:MODEL")
    methods = gr.CheckboxGroup([(METHODS[m].name, m) for m in methods_for("preference")],
                               value=methods_for("preference"), label="Methods", elem_id="arena-methods")
    with gr.Row():
        start = gr.Button("Start the arena", variant="primary", elem_id="arena-start")
        stop = gr.Button("Stop the arena", variant="stop", elem_id="arena-stop")
        resume = gr.Button("Resume the arena", elem_id="arena-resume")
    with gr.Row():
        picker = gr.Dropdown(arena_choices(ctx.runs_dir), label="Arena", scale=4, elem_id="arena-picker")
        refresh = gr.Button("↻", scale=0, min_width=40, elem_id="arena-picker-refresh")
    sentence = gr.Markdown(elem_id="arena-sentence")
    table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, elem_id="arena-table",
                         column_widths=["12%", "8%", "10%", "14%"] + ["7%"] * 8)
    chart = gr.Plot(label="Win rate against wall time", elem_id="arena-chart")
    timer = gr.Timer(REFRESH_SECONDS, active=False)
    view = [sentence, table, chart, timer]

    def data_of(state) -> str:
        return state["path"] if state and state.get("path") else str(SAMPLE_PAIRS)

    def on_dataset(state):
        if not state:
            return gr.skip(), gr.skip()
        shape = state["report"].get("shape")
        allowed = methods_for(shape)
        note = (f"Dataset: {code(ctx.policy.shown_path(state['path']))} ({state['report'].get('rows')} rows, from "
                f"the Data tab)" + ("" if allowed else " — the arena has no methods to compare on this data."))
        return note, gr.update(choices=[(METHODS[m].name, m) for m in allowed], value=allowed)

    dataset_state.change(on_dataset, inputs=dataset_state, outputs=[dataset_note, methods])

    def on_start(state, model_name, examples, held, judge_name, chosen, who, request: gr.Request):
        if ctx.shared:
            warn(ctx, "The arena trains several methods one after another; a shared studio runs one run at a time "
                      "per visitor. Run the studio on your own machine for the arena.")
            return [gr.skip()] * (len(view) + 1)
        if not chosen:
            warn(ctx, "Tick at least one method.")
            return [gr.skip()] * (len(view) + 1)
        try:
            asked = int(held or HOLDOUT)
            arena = start_arena(ctx.runner, data_of(state), model=(model_name or "").strip() or None,
                                methods=list(chosen), budget=int(examples or DEFAULT_BUDGET), holdout=asked,
                                judge=(judge_name or "auto").strip(), owner=ctx.owner(who),
                                address=client_address(request))
        except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: an infinite number typed
            warn(ctx, exc)
            return [gr.skip()] * (len(view) + 1)
        info(ctx, f"Arena {arena.id} started: {len(arena.entries)} runs queued. {fewer_held_out(arena, asked)}".strip())
        return [gr.update(choices=arena_choices(ctx.runs_dir), value=arena.id), *arena_view(ctx, arena.id)]

    start.click(on_start, inputs=[dataset_state, model, budget, holdout, judge, methods, visitor],
                outputs=[picker, *view])

    def on_stop(arena_id, who):
        if not arena_id:
            warn(ctx, "Pick an arena first.")
            return [gr.skip()] * len(view)
        if ctx.shared:  # only the operator starts arenas (not from a shared page): no visitor stops one
            warn(ctx, "The arena runs on your own machine, not on a shared studio.")
            return [gr.skip()] * len(view)
        arena = Arena.load(ctx.runs_dir / "arenas" / arena_id)
        cancelled = stop_arena(ctx.runner, arena, ctx.owner(who))
        info(ctx, f"Stopping the arena: the current run stops after its step; {cancelled} waiting run(s) cancelled.")
        return arena_view(ctx, arena_id)

    stop.click(on_stop, inputs=[picker, visitor], outputs=view)

    def on_resume(arena_id, who, request: gr.Request):
        if not arena_id:
            warn(ctx, "Pick an arena first.")
            return [gr.skip()] * len(view)
        if ctx.shared:
            warn(ctx, "The arena runs on your own machine, not on a shared studio.")
            return [gr.skip()] * len(view)
        try:
            count = resume_arena(ctx.runner, Arena.load(ctx.runs_dir / "arenas" / arena_id), ctx.owner(who),
                                 client_address(request))
        except ValueError as exc:
            warn(ctx, exc)
            return [gr.skip()] * len(view)
        info(ctx, f"{count} run(s) of the arena queued again." if count else "Nothing left to run in this arena.")
        return arena_view(ctx, arena_id)

    resume.click(on_resume, inputs=[picker, visitor], outputs=view)

    def on_pick(arena_id):
        if arena_id and arena_id not in [value for _, value in arena_choices(ctx.runs_dir)]:
            return [gr.skip()] * len(view)
        return arena_view(ctx, arena_id)

    picker.change(on_pick, inputs=picker, outputs=view)
    timer.tick(on_pick, inputs=picker, outputs=view, show_progress="hidden")

    def on_refresh(arena_id):
        choices = arena_choices(ctx.runs_dir)
        value = arena_id if arena_id in [v for _, v in choices] else (choices[0][1] if choices else None)
        return [gr.update(choices=choices, value=value), *arena_view(ctx, value)]

    refresh.click(on_refresh, inputs=picker, outputs=[picker, *view])
    return on_refresh, [picker, *view], picker
