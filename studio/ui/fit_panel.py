"""The Train tab's "Will it fit?" section: the draft config's peak memory (a stacked bar of what holds it), time per
step, verdict and what to change, and a Probe that trains a few steps to measure them and correct the estimate.

The reckoning is planner.py's; this file only shows it. A probe is an ordinary run started through
services.Studio.start_run, so in shared mode it waits in the same queue under the same limits as any run.
"""

from __future__ import annotations

import copy
import time

import gradio as gr

from .. import planner
from ..services import client_address
from .markup import text
from .notify import info, warn

TARGETS = [("this machine", "here"), ("a GPU with 16 GB", "16GB"), ("a GPU with 24 GB", "24GB"),
           ("a GPU with 40 GB", "40GB"), ("a GPU with 80 GB", "80GB")]
PROBE_WAIT_S = 1800  # the page follows a probe this long; its measurement is stored either way
POLL_S = 2.0
COLORS = {"weights": "#4c78a8", "reference": "#9ecae9", "reward model": "#f58518", "value model": "#ffbf79",
          "gradients": "#54a24b", "optimizer state": "#88d27a", "activations": "#b279a2", "logits": "#e45756",
          "generation cache": "#eeca3b", "runtime": "#bab0ac"}


def breakdown_figure(plan: planner.Plan, measured: dict | None = None):
    """A horizontal stacked bar of the estimated peak by component, the probe's measured peak beside it, and the
    memory available (when it is within sight of the peak)."""
    import plotly.graph_objects as go

    peak = plan.peak
    measured_mb = (measured or {}).get("measured_peak_mb")
    top = max(peak, (measured_mb or 0) * planner.MB)
    scale, unit = (planner.GB, "GB") if top >= planner.GB else (planner.MB, "MB")
    fig = go.Figure()
    for name, value in plan.components.items():
        if value > 0:
            fig.add_trace(go.Bar(name=name, y=["estimate"], x=[value / scale], orientation="h",
                                 marker_color=COLORS.get(name), hovertext=[plan.notes.get(name, "")],
                                 hovertemplate=f"{name}: %{{x:.2f}} {unit}<br>%{{hovertext}}<extra></extra>"))
    if measured_mb:
        label = "measured (torch allocated)" if plan.device.kind == "cuda" else "measured (peak RSS)"
        fig.add_trace(go.Bar(name=label, y=["probe"], x=[measured_mb * planner.MB / scale], orientation="h",
                             marker_color="#222222", hovertemplate=f"{label}: %{{x:.2f}} {unit}<extra></extra>"))
    available = plan.device.available
    title = f"peak ≈ {peak / scale:.2f} {unit} of {available / planner.GB:.1f} GB available: {plan.verdict}"
    if available <= 3 * top:
        fig.add_vline(x=available / scale, line_dash="dash", line_color="#d62728", annotation_text="available")
        fig.add_vline(x=planner.FIT_SHARE * available / scale, line_dash="dot", line_color="#ff9896",
                      annotation_text="tight above", annotation_position="bottom right")
    fig.update_layout(barmode="stack", height=230 + (40 if measured_mb else 0), title=title,
                      margin={"l": 70, "r": 20, "t": 50, "b": 40}, xaxis_title=f"peak memory ({unit})",
                      legend={"orientation": "h", "y": -0.35})
    return fig


def build_fit_panel(ctx, drafts, session_of, visitor) -> None:
    """The accordion, wired to the session's draft config (`drafts.get(session_of(request))`)."""
    with gr.Accordion("Will it fit? Peak memory and time per step, before you start", open=False):
        gr.Markdown("Estimated from the model's config.json, the method and the settings above (and the data's token "
                    "lengths): weights, reference, reward and value models, gradients, optimizer state, activations, "
                    "logits and generation cache, against this machine's free memory. **Probe** trains "
                    f"{planner.PROBE_STEPS} steps of this config on the data's longest rows, as a run of its own, and "
                    "corrects later estimates of the same model and method with what it measured. Every run also "
                    "stores its estimate and its measured peak and step time (status.json).")
        with gr.Row():
            target = gr.Dropdown(TARGETS, value="here", label="Plan for", scale=2, elem_id="fit-target")
            size = gr.Textbox("", label="Model size, if its config can't be read", placeholder="e.g. 7B", scale=2,
                              max_length=20, elem_id="fit-size")
            estimate_button = gr.Button("Estimate", scale=1, elem_id="fit-estimate")
            probe_button = gr.Button(f"Probe ({planner.PROBE_STEPS} steps)", scale=1, elem_id="fit-probe")
        verdict = gr.Markdown(elem_id="fit-verdict")
        chart = gr.Plot(label="Peak memory, by what holds it", elem_id="fit-chart")

    def current(request):
        draft = drafts.get(session_of(request))
        with draft.lock:
            return copy.deepcopy(draft.spec)

    def plan_for(spec, where, model_size):
        if ctx.shared:
            ctx.policy.check_spec(spec)  # the same checks as Start: the model and data a visitor may use
        device = None if where in (None, "", "here") else planner.planned_gpu(where)
        return planner.estimate(spec, device=device, runs_dir=ctx.runs_dir, model_size=(model_size or "").strip()
                                or None)

    def on_estimate(where, model_size, request: gr.Request):
        try:
            plan = plan_for(current(request), where, model_size)
        except ValueError as exc:
            warn(ctx, exc)
            return text(ctx.visible(exc)), gr.skip()
        return ctx.visible(planner.plan_markdown(plan)), breakdown_figure(plan)

    estimate_button.click(on_estimate, inputs=[target, size], outputs=[verdict, chart], concurrency_limit=2)

    def on_probe(where, model_size, who, request: gr.Request):
        spec = current(request)
        if where not in (None, "", "here"):
            warn(ctx, "A probe measures this machine: set 'Plan for' to this machine.")
            yield gr.skip(), gr.skip()
            return
        try:
            # Start's checks before anything reads the draft's data: the probe copies its longest rows into the
            # runs folder, so a server file named in a visitor's draft would otherwise be read and copied there.
            ctx.policy.check_spec(spec)
            probe = planner.probe_spec(spec, runs_dir=ctx.runs_dir,  # on the data's longest rows
                                       read_limits=ctx.policy.read_limits())
        except ValueError as exc:
            warn(ctx, exc)
            yield gr.skip(), gr.skip()
            return
        outcome = ctx.start_run(probe, who, client_address(request),
                                started=f"Probe {{run}} started: {planner.PROBE_STEPS} steps of this config.",
                                queued="Probe queued: position {position}. When it has run, press Estimate: its "
                                       "measurement corrects the estimate.")
        (info if outcome.ok else warn)(ctx, outcome.message)
        if outcome.live is None:
            yield text(ctx.visible(outcome.message)), gr.skip()
            return
        live, deadline = outcome.live, time.time() + PROBE_WAIT_S
        while live.active and time.time() < deadline:
            yield f"Probe `{live.run_id}` is training: step {live.step}/{live.max_steps or planner.PROBE_STEPS}…", \
                gr.skip()
            time.sleep(POLL_S)
        if live.active:
            yield (f"Probe `{live.run_id}` is still training; when it ends its measurement is stored, and Estimate "
                   "shows the corrected figures."), gr.skip()
            return
        if live.state != "finished":
            yield text(ctx.visible(f"The probe {live.state}: {live.message}")), gr.skip()
            return
        measured = planner.run_measurement(live.run_dir)
        try:
            plan = plan_for(spec, "here", model_size)
        except ValueError as exc:
            yield text(ctx.visible(exc)), gr.skip()
            return
        yield ctx.visible(planner.plan_markdown(plan, measured)), breakdown_figure(plan, measured)

    # A probe that trains is followed by the page that started it (a generator that mostly sleeps); the others
    # queue or refuse at once, so they must not wait behind it.
    probe_button.click(on_probe, inputs=[target, size, visitor], outputs=[verdict, chart], concurrency_limit=8)
