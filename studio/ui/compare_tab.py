"""Compare tab: one prompt, the base and the aligned model's answers side by side, same decoding."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from ..evaluation.generate import DecodeSettings
from ..methods.registry import METHODS
from ..training.runs import list_runs


EMPTY = "(no text: the model ended its answer at once)"


def comparable_runs(runs_dir: Path, active=frozenset()) -> list[tuple[str, str]]:
    """(label, run folder) for runs that saved a model, newest first."""
    choices = []
    for run in list_runs(runs_dir, active):
        if (Path(run["run_dir"]) / "adapter").is_dir():
            method = METHODS.get(run.get("method", ""), None)
            label = f"{run['name']} · {method.name if method else run.get('method')} · {run.get('state')}"
            choices.append((label, run["run_dir"]))
    return choices


def build_compare_tab(ctx):
    with gr.Row():
        run = gr.Dropdown([], label="Run to compare", scale=3, elem_id="compare-run")
        refresh = gr.Button("↻ Refresh runs", scale=1)
    prompt = gr.Textbox(label="Prompt", lines=2, placeholder="Ask both models the same thing…",
                        value="What is the capital of France?", elem_id="compare-prompt")
    with gr.Row():
        max_new_tokens = gr.Slider(8, 512, value=96, step=8, label="Max new tokens")
        temperature = gr.Slider(0, 1.5, value=0, step=0.05, label="Temperature (0 = greedy)")
        top_p = gr.Slider(0.05, 1, value=1, step=0.05, label="Top-p")
        seed = gr.Number(0, label="Seed", precision=0)
    go = gr.Button("Generate both", variant="primary", elem_id="compare-go")
    with gr.Row():
        base_out = gr.Textbox(label="Base model", lines=8, interactive=False, elem_id="compare-base")
        aligned_out = gr.Textbox(label="Aligned model (this run)", lines=8, interactive=False,
                                 elem_id="compare-aligned")

    def on_refresh():
        choices = comparable_runs(ctx.runs_dir, ctx.runner.active_dirs())
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    refresh.click(on_refresh, outputs=run)

    def on_generate(run_dir, text, tokens, temp, p, seed_value):
        if not run_dir:
            gr.Warning("Pick a run first (a finished or stopped run with a saved adapter).")
            yield gr.skip(), gr.skip()
            return
        if not (text or "").strip():
            gr.Warning("Type a prompt first.")
            yield gr.skip(), gr.skip()
            return
        settings = DecodeSettings(int(tokens), float(temp), float(p), int(seed_value or 0))
        try:
            pair = ctx.compare.get(run_dir)
            yield "…generating…", ""
            base = pair.generate(text, settings, aligned=False) or EMPTY
            yield base, "…generating…"
            yield base, pair.generate(text, settings, aligned=True) or EMPTY
        except ValueError as exc:
            gr.Warning(str(exc))
            yield gr.skip(), gr.skip()

    go.click(on_generate, inputs=[run, prompt, max_new_tokens, temperature, top_p, seed],
             outputs=[base_out, aligned_out])
    return on_refresh, run
