"""Compare tab: base vs aligned side by side (one prompt, or a chat), the batch verdict, and deploy."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from pathlib import Path

import gradio as gr
import pandas as pd

from ..deploy import K_QUANTS, export_run, find_gguf_converter, find_gguf_quantizer
from ..evaluation.judges import PAIRWISE_TEMPLATE
from ..evaluation.verdict import evaluate_run, summary_line
from ..evaluation.generate import DecodeSettings
from ..methods.registry import METHODS
from ..training.runs import RunFolder, list_runs
from ..shared import folder_bytes, make_room
from .markup import code, text
from .notify import warn

_EXPORT_LOCK = threading.Lock()  # one export at a time: each writes a whole model (about half a GB)

EMPTY = "(no text: the model ended its answer at once)"
TEXT_COLUMNS = ("prompt", "reference", "chosen", "rejected", "completion", "base", "aligned")


def comparable_runs(runs_dir: Path, active=frozenset()) -> list[tuple[str, str]]:
    """(label, run folder) for runs that saved a model that writes answers, newest first."""
    choices = []
    for run in list_runs(runs_dir, active):
        if (Path(run["run_dir"]) / "adapter").is_dir() and run.get("method") != "reward":
            method = METHODS.get(run.get("method", ""), None)
            label = f"{run['name']} · {method.name if method else run.get('method')} · {run.get('state')}"
            choices.append((label, run["name"]))  # by name: the server finds it in its runs folder
    return choices


def records_frame(records: list[dict]) -> pd.DataFrame:
    def cell(value):
        if isinstance(value, float):
            return round(value, 3)
        if isinstance(value, str) and len(value) > 300:
            return value[:300] + "…"
        return value

    return pd.DataFrame([{k: cell(v) for k, v in r.items()} for r in records])


TEXT_WIDTHS = {"prompt": "24%", "base": "24%", "aligned": "24%", "reference": "12%"}


def column_widths(frame: pd.DataFrame) -> list[str]:
    """Room for the texts that are compared; scores and flags stay narrow (else the answers scroll away)."""
    return [TEXT_WIDTHS.get(column, "80px") for column in frame.columns]


def verdict_figure(records: list[dict], summary: dict | None = None):
    """Wins, ties and losses of the aligned answers, titled with the verdict and its interval."""
    import plotly.graph_objects as go

    judged = [r for r in records if r.get("outcome") is not None] or records
    ties = sum(r.get("outcome") == "tie" or bool(r.get("tie")) for r in judged)
    wins = sum(r.get("outcome") == "win" or bool(r.get("win")) for r in judged)
    losses = len(judged) - wins - ties
    fig = go.Figure(go.Bar(x=["aligned better", "tie", "base better"], y=[wins, ties, losses],
                           marker_color=["#16a34a", "#9ca3af", "#dc2626"], text=[wins, ties, losses]))
    summary = summary or {}
    if "ci_low" in summary:
        title = (f"{summary.get('verdict', '')}: win rate {summary['win_rate']:.0%} "
                 f"(95% CI {summary['ci_low']:.0%}–{summary['ci_high']:.0%}) over {summary.get('n', len(judged))}")
    else:
        title = f"win rate {wins / max(len(judged), 1):.0%} over {len(judged)} rows"
    fig.update_layout(height=260, margin=dict(l=30, r=10, t=30, b=30), title=title)
    return fig


def export_files(records: list[dict]) -> tuple[str, str]:
    folder = Path(tempfile.mkdtemp(prefix="studio-eval-"))
    records_frame(records).to_csv(folder / "comparison.csv", index=False)
    with open(folder / "comparison.jsonl", "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return str(folder / "comparison.csv"), str(folder / "comparison.jsonl")


def _base_model_bytes(run_dir) -> int:
    """About what a merged export of this run weighs: its base model's weight files."""
    from ..evaluation.generate import run_base_model
    from ..models import resolve_model

    try:
        return folder_bytes(Path(resolve_model(run_base_model(Path(run_dir)))))
    except ValueError:
        return 0


GGUF_LABELS = [("f16", "f16 (full quality)"), ("q8_0", "q8_0 (about half the size)"), ("bf16", "bf16"),
               ("f32", "f32"), ("q4_k_m", "Q4_K_M (the smallest here; Ollama's usual pick)"),
               ("q5_k_m", "Q5_K_M (a little larger, closer to f16)"), ("q6_k", "Q6_K (near f16 quality)")]


def gguf_choices(quantizer: bool, shared: bool = False) -> list[tuple[str, str]]:
    """The GGUF weights dropdown: the k-quants say when llama-quantize isn't there (to the operator: how to build
    it; to a visitor of a shared studio: that this server can't write them)."""
    missing = "not available on this server" if shared else "needs `make llama-quantize`"
    return [(label if quantizer or value not in K_QUANTS else f"{label}, {missing}", value)
            for value, label in GGUF_LABELS]


def quantizer_ready() -> bool:
    try:
        return find_gguf_quantizer() is not None
    except ValueError:  # a LLAMA_CPP_QUANTIZE that names no binary: the export says so when it is asked for
        return False


def export_message(result: dict, shown=str, visible=str) -> str:
    """What an export wrote and the commands that serve it, as the page shows it (paths as `shown` allows)."""
    lines = [f"Merged model: {code(shown(result['merged']))} (loads with `AutoModelForCausalLM.from_pretrained`), "
             f"with its model card {code(shown(result['card']))}."]
    if result.get("gguf"):
        info = result["gguf_info"]
        lines.append(f"GGUF: {code(shown(result['gguf']))} ({text(info['type'])}, {info['tensors']} tensors, a "
                     f"vocabulary of {info['vocab']:,}) and the Ollama Modelfile {code(shown(result['modelfile']))}.")
    if result.get("four_bit"):
        lines.append(f"4-bit copy: {code(shown(result['four_bit']))}.")
    if result.get("pushed"):
        lines.append(f"Pushed: {code(result['pushed'])}.")
    lines += [text(visible(note)) for note in result.get("notes", [])]
    if result.get("commands"):
        lines.append("Serve it:\n\n" + "\n".join(f"- {code(visible(command))}" for command in result["commands"]))
    return "\n\n".join(lines)


def build_compare_tab(ctx, visitor):
    with gr.Row():
        run = gr.Dropdown([], label="Run to compare", scale=3, elem_id="compare-run")
        refresh = gr.Button("↻ Refresh runs", scale=1)
    with gr.Row():
        max_new_tokens = gr.Slider(8, 512, value=96, step=8, label="Max new tokens")
        temperature = gr.Slider(0, 1.5, value=0, step=0.05, label="Temperature (0 = greedy)")
        top_p = gr.Slider(0.05, 1, value=1, step=0.05, label="Top-p")
        seed = gr.Number(0, label="Seed", precision=0)
    decoding = [max_new_tokens, temperature, top_p, seed]
    with gr.Tab("One prompt"):
        prompt = gr.Textbox(label="Prompt", lines=2, placeholder="Ask both models the same thing…",
                            value="What is the capital of France?", elem_id="compare-prompt")
        go = gr.Button("Generate both", variant="primary", elem_id="compare-go")
        with gr.Row():
            base_out = gr.Textbox(label="Base model", lines=8, interactive=False, elem_id="compare-base")
            aligned_out = gr.Textbox(label="Aligned model (this run)", lines=8, interactive=False,
                                     elem_id="compare-aligned")
    with gr.Tab("Chat"):
        with gr.Row():
            base_chat = gr.Chatbot(label="Base model", height=360)
            aligned_chat = gr.Chatbot(label="Aligned model", height=360)
        message = gr.Textbox(label="Message to both", placeholder="Type and press Enter")
        clear = gr.Button("New conversation", size="sm")
    with gr.Tab("Batch verdict"):
        gr.Markdown("Both models answer the held-out rows this run kept aside (or a file of yours) with the "
                    "decoding settings above; each row is scored by what the run has.")
        with gr.Row():
            source = gr.File(label="Prompts file (optional; default: the run's held-out rows)",
                             file_types=[".jsonl", ".json", ".csv", ".tsv", ".parquet"], scale=3)
            rows_limit = gr.Number(32, label="Prompts to answer", precision=0, minimum=1, scale=1)
            evaluate = gr.Button("Evaluate", variant="primary", scale=1, elem_id="compare-evaluate")
        with gr.Row():
            judge = gr.Dropdown(["auto", "reference", "none"], value="auto", allow_custom_value=not ctx.shared,
                                label="Judge", scale=2, elem_id="compare-judge",
                                info="auto: what the run and the data offer (its rewards, a reward model trained on "
                                     "the training pairs, the reference answer); or type reward-model:PATH or "
                                     "pairwise:MODEL (an instruct model, asked in both orders)")
        with gr.Accordion("The pairwise judge's prompt", open=False):
            template = gr.Textbox(PAIRWISE_TEMPLATE, lines=10, show_label=False, elem_id="compare-judge-template")
        verdict = gr.Markdown(elem_id="compare-verdict")
        chart = gr.Plot(label="Win rate", elem_id="compare-chart")
        table = gr.Dataframe(interactive=False, wrap=True, max_height=420, elem_id="compare-table")
        with gr.Row():
            csv_file = gr.DownloadButton("Download CSV", visible=False)
            jsonl_file = gr.DownloadButton("Download JSONL", visible=False)
    with gr.Accordion("Deploy: export a standalone model", open=False):
        gr.Markdown("The merged model (safetensors, tokenizer, chat template) with its model card: a README.md "
                    "the Hub renders, with the base model, the data, the method and its hyperparameters, and the "
                    "verdict with its interval. With GGUF, the same folder also holds model.gguf (llama.cpp's "
                    "converter) and an Ollama Modelfile; the commands that serve it follow the export.")
        with gr.Row():
            out_dir = gr.Textbox(label="Folder to write the merged model to", scale=3, elem_id="deploy-folder")
            four_bit = gr.Checkbox(False, label="also a 4-bit copy", scale=1)
            gguf = gr.Checkbox(False, label="also GGUF + Ollama Modelfile", scale=1, elem_id="deploy-gguf",
                               info=None if find_gguf_converter() else "llama.cpp's converter is not installed")
            gguf_type = gr.Dropdown(gguf_choices(quantizer_ready(), ctx.shared),
                                    value="f16", label="GGUF weights", scale=1, elem_id="deploy-gguf-type")
        with gr.Row():
            repo = gr.Textbox(label="Push to Hub repo (optional)", placeholder="you/my-aligned-model", scale=2)
            token = gr.Textbox(label="Hub token (used once, never stored)", type="password", scale=2)
            export = gr.Button("Export", scale=1, elem_id="deploy-export")
        export_note = gr.Markdown(elem_id="deploy-note")

    def on_refresh():
        choices = comparable_runs(ctx.runs_dir, ctx.runner.active_dirs())
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    refresh.click(on_refresh, outputs=run)

    def settings_of(tokens, temp, p, seed_value) -> DecodeSettings:
        return DecodeSettings(int(tokens), float(temp), float(p), int(seed_value or 0))

    def pair_for(run_dir):
        if not run_dir:
            raise ValueError("Pick a run first (a finished or stopped run with a saved adapter).")
        return ctx.compare.get(str(ctx.policy.check_run_dir(run_dir)))

    def on_generate(run_dir, text, *decode):
        try:
            if not (text or "").strip():
                raise ValueError("Type a prompt first.")
            pair, settings = pair_for(run_dir), settings_of(*decode)
            base = ""
            for base in pair.stream(text, settings, aligned=False):
                yield base or "…", ""
            base = base or EMPTY
            aligned = ""
            for aligned in pair.stream(text, settings, aligned=True):
                yield base, aligned or "…"
            yield base, aligned or EMPTY
        except ValueError as exc:
            warn(ctx, exc)
            yield gr.skip(), gr.skip()

    go.click(on_generate, inputs=[run, prompt, *decoding], outputs=[base_out, aligned_out])

    def on_message(run_dir, text, base_history, aligned_history, *decode):
        base_history, aligned_history = list(base_history or []), list(aligned_history or [])
        try:
            if not (text or "").strip():
                raise ValueError("Type a message first.")
            pair, settings = pair_for(run_dir), settings_of(*decode)
        except ValueError as exc:
            warn(ctx, exc)
            yield gr.skip(), gr.skip(), gr.skip()
            return
        user = {"role": "user", "content": text}
        for history, aligned in ((base_history, False), (aligned_history, True)):
            conversation = [{"role": m["role"], "content": m["content"]} for m in history] + [user]
            history.append(user)
            history.append({"role": "assistant", "content": ""})
            for partial in pair.stream(conversation, settings, aligned=aligned):
                history[-1] = {"role": "assistant", "content": partial}
                yield "", base_history, aligned_history
            if not history[-1]["content"]:
                history[-1] = {"role": "assistant", "content": EMPTY}
        yield "", base_history, aligned_history

    message.submit(on_message, inputs=[run, message, base_chat, aligned_chat, *decoding],
                   outputs=[message, base_chat, aligned_chat])
    clear.click(lambda: ([], []), outputs=[base_chat, aligned_chat])

    def on_evaluate(run_dir, file, limit, judge_name, judge_template, *decode_and_visitor):
        *decode, who = decode_and_visitor
        try:
            if not run_dir:
                raise ValueError("Pick a run first.")
            judge_name = (judge_name or "auto").strip()
            if ctx.shared and judge_name not in ("auto", "reference", "none"):
                raise ValueError("In shared mode the judge is auto, reference or none (no other model is loaded).")
            run_dir = str(ctx.policy.check_run_dir(run_dir))
            limit = max(1, int(limit or 1))
            if ctx.shared:
                limit = min(limit, ctx.limits.eval_rows)  # generation is the slow part; others wait behind it
            rows = None
            if file:
                from ..data import inspect_dataset

                report, rows = inspect_dataset(file, max_bytes=ctx.policy.max_upload_bytes,
                                               max_rows=ctx.policy.max_rows)
                if not report.usable:
                    raise ValueError(report.errors[0].describe(report.source))
                rows = rows[:limit]
            # The web server trains no judge: a run's end-of-run verdict trained the data's reward model already
            records, summary = evaluate_run(run_dir, rows=rows, settings=settings_of(*decode),
                                            generate=limit, pair=ctx.compare.get(run_dir),
                                            write=not file and mine(run_dir, who), judge=judge_name,
                                            judge_template=judge_template, train_judge=False)
        except ValueError as exc:
            warn(ctx, exc)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        csv_path, jsonl_path = export_files(records)
        frame = records_frame(records)
        return (f"**Verdict:** {text(summary_line(summary))}.", verdict_figure(records, summary),
                gr.Dataframe(frame, column_widths=column_widths(frame)),
                gr.update(value=csv_path, visible=True), gr.update(value=jsonl_path, visible=True))

    def mine(run_dir, who) -> bool:
        """Whether a batch verdict may replace the run's stored one (in shared mode: the owner's only)."""
        try:
            ctx.check_mine(run_dir, who)
            return True
        except ValueError:
            return False

    evaluate.click(on_evaluate, inputs=[run, source, rows_limit, judge, template, *decoding, visitor],
                   outputs=[verdict, chart, table, csv_file, jsonl_file])

    def on_export(run_dir, folder, quantized, want_gguf, repo_id, hub_token, weights, who):
        try:
            if not run_dir:
                raise ValueError("Pick a run first.")
            run_dir = str(ctx.check_mine(run_dir, who))
            if not (folder or "").strip():
                raise ValueError("Give a folder to write the merged model to.")
            target = ctx.policy.check_output_dir(folder)
            if not _EXPORT_LOCK.acquire(blocking=False):
                raise ValueError("Another export is being written; try again in a minute.")
            try:
                if ctx.shared:  # exports share a disk quota; the oldest are removed to make room
                    # a k-quant also holds its 16-bit GGUF beside the quantized one while it is written
                    size = (1 + bool(quantized) + bool(want_gguf) + bool(want_gguf and weights in K_QUANTS)) * \
                        _base_model_bytes(run_dir)
                    make_room(ctx.runs_dir / "exports", size, ctx.limits.exports_bytes)
                merged = RunFolder(run_dir).merged
                had_merged = merged.exists()
                try:
                    result = export_run(run_dir, target, four_bit=quantized, gguf=bool(want_gguf),
                                        push_repo=(repo_id or "").strip() or None,
                                        token=(hub_token or "").strip() or None, log=lambda _: None,
                                        env_token=not ctx.shared, gguf_type=weights or "f16")
                finally:
                    if ctx.shared and not had_merged:  # the run's merged copy is a cache: outside the quota, not kept
                        shutil.rmtree(merged, ignore_errors=True)
            finally:
                _EXPORT_LOCK.release()
        except ValueError as exc:
            warn(ctx, exc)
            return gr.skip(), ""
        return export_message(result, ctx.policy.shown_path, ctx.visible), ""  # the token field is emptied

    export.click(on_export, inputs=[run, out_dir, four_bit, gguf, repo, token, gguf_type, visitor],
                 outputs=[export_note, token])
    return on_refresh, run
