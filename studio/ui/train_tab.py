"""Train tab: settings for one run, Start/Stop, and the live status and curves (pulled by a gr.Timer)."""

from __future__ import annotations

import gradio as gr
import yaml

from ..methods import TRAINABLE
from ..methods.registry import METHODS
from ..models import describe_model, model_choices
from ..training.spec import preset_path, spec_from_dict

# The curve beside the loss, per method: (metric key, label).
SECOND_CURVES = {
    "sft": [("mean_token_accuracy", "token accuracy")],
    "dpo": [("rewards/margins", "reward margin"), ("rewards/accuracies", "reward accuracy"),
            ("rewards/chosen", "chosen reward"), ("rewards/rejected", "rejected reward")],
}


def preset_values(method: str) -> dict:
    return yaml.safe_load(preset_path(method).read_text(encoding="utf-8"))


def build_spec(method, dataset_path, model, max_steps, learning_rate, batch_size, beta, use_lora):
    """The UI's settings on top of the method's demo preset → a RunSpec (ValueError on bad values)."""
    if not dataset_path:
        raise ValueError("Load a dataset on the Data tab first.")
    values = preset_values(method)
    values.update(dataset=dataset_path, model_name_or_path=(model or "").strip() or values["model_name_or_path"],
                  max_steps=int(max_steps), learning_rate=float(learning_rate),
                  per_device_train_batch_size=int(batch_size), use_peft=bool(use_lora))
    if METHODS[method].beta_name and beta is not None:
        values["beta"] = float(beta)
    return spec_from_dict(values)


def figure(metrics: list[dict], method: str):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    extra = SECOND_CURVES.get(method, [])
    fig = make_subplots(rows=1, cols=2, subplot_titles=("training loss", extra[0][1] if extra else "learning rate"))
    points = [m for m in metrics if "loss" in m]
    fig.add_trace(go.Scatter(x=[m["step"] for m in points], y=[m["loss"] for m in points], mode="lines+markers",
                             name="loss"), row=1, col=1)
    for key, label in extra or [("learning_rate", "learning rate")]:
        series = [m for m in metrics if key in m]
        fig.add_trace(go.Scatter(x=[m["step"] for m in series], y=[m[key] for m in series], mode="lines",
                                 name=label), row=1, col=2)
    fig.update_layout(height=340, margin=dict(l=40, r=20, t=40, b=30), legend=dict(orientation="h", y=-0.2))
    fig.update_xaxes(title_text="step")
    return fig


def status_markdown(snapshot: dict | None) -> str:
    if not snapshot:
        return "No run yet. Pick the settings and press **Start training**."
    step, total = snapshot["step"], snapshot["max_steps"]
    elapsed = snapshot["elapsed"]
    eta = ""
    if snapshot["state"] == "running" and step and total and total > step:
        eta = f" · about {elapsed / step * (total - step):.0f} s left"
    pct = f" ({100 * step / total:.0f}%)" if total and total > 0 else ""
    line = (f"**{snapshot['state']}** · run `{snapshot['run_id']}` · {METHODS[snapshot['method']].name} · "
            f"step {step}/{total or '?'}{pct} · {elapsed:.0f} s elapsed{eta}")
    return line + (f"\n\n{snapshot['message']}" if snapshot.get("message") else "")


def build_train_tab(ctx, dataset_state: gr.State, method_state: gr.State):
    with gr.Row():
        model = gr.Dropdown(model_choices(), value=ctx.default_model, allow_custom_value=True, label="Model",
                            info="the bundled model, a hub id, or a local checkpoint folder", scale=2)
        method = gr.Dropdown([(METHODS[m].name, m) for m in TRAINABLE], value="sft", label="Method", scale=1,
                             elem_id="train-method")
    model_note = gr.Markdown(describe_model(ctx.default_model))
    dataset_note = gr.Markdown("Dataset: none loaded yet (Data tab).", elem_id="train-dataset")
    defaults = preset_values("sft")
    with gr.Row():
        max_steps = gr.Number(defaults["max_steps"], label="Steps", precision=0, minimum=1)
        learning_rate = gr.Number(defaults["learning_rate"], label="Learning rate", minimum=0)
        batch_size = gr.Number(defaults["per_device_train_batch_size"], label="Batch size", precision=0, minimum=1)
        beta = gr.Number(0.1, label="β", visible=False)
        use_lora = gr.Checkbox(True, label="LoRA (r 16, α 32)")
    with gr.Row():
        start = gr.Button("Start training", variant="primary", elem_id="train-start")
        stop = gr.Button("Stop", variant="stop", elem_id="train-stop")
    status = gr.Markdown(status_markdown(None), elem_id="train-status")
    plot = gr.Plot(label="Live curves", elem_id="train-plot")
    timer = gr.Timer(1.0)
    drawn = gr.State("")  # "run_id:lines" the plot shows, so ticks with nothing new send nothing

    def on_method(name):
        values = preset_values(name)
        spec = METHODS[name]
        return (values["max_steps"], values["learning_rate"], values["per_device_train_batch_size"],
                gr.update(visible=bool(spec.beta_name), value=values.get("beta", spec.beta_default),
                          label=f"{spec.beta_name} ({spec.beta_range})"))

    method.change(on_method, inputs=method, outputs=[max_steps, learning_rate, batch_size, beta])
    method_state.change(lambda m: gr.update(value=m) if m in TRAINABLE else gr.skip(), inputs=method_state,
                        outputs=method)
    model.change(lambda name: describe_model(name or ""), inputs=model, outputs=model_note)
    dataset_state.change(
        lambda s: f"Dataset: `{s['path']}` ({s['report']['rows']} rows)" if s else "Dataset: none loaded yet.",
        inputs=dataset_state, outputs=dataset_note)

    def on_start(state, method_name, model_name, steps, lr, batch, beta_value, lora):
        try:
            spec = build_spec(method_name, (state or {}).get("path"), model_name, steps, lr, batch, beta_value, lora)
            live = ctx.runner.start(spec)
        except ValueError as exc:
            gr.Warning(str(exc))
            return gr.skip()
        gr.Info(f"Run {live.run_id} started.")
        return status_markdown(live.snapshot())

    start.click(on_start, inputs=[dataset_state, method, model, max_steps, learning_rate, batch_size, beta, use_lora],
                outputs=status)

    def on_stop():
        if not ctx.runner.stop():
            gr.Info("Nothing is training right now.")

    stop.click(on_stop)

    def on_tick(shown):
        live = ctx.runner.current
        if live is None:
            return status_markdown(None), gr.skip(), shown
        metrics = list(live.metrics)
        key = f"{live.run_id}:{len(metrics)}"
        if key == shown:
            return status_markdown(live.snapshot()), gr.skip(), shown
        return status_markdown(live.snapshot()), figure(metrics, live.method), key

    timer.tick(on_tick, inputs=drawn, outputs=[status, plot, drawn])
