"""Data tab: upload a file (or pick a sample), see its detected shape, findings and a preview."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import gradio as gr
import pandas as pd

from ..data import inspect_dataset
from ..data.formats import SHAPE_LABELS
from ..training.spec import PROJECT_ROOT

SAMPLES_DIR = PROJECT_ROOT / "presets" / "data"
FILE_TYPES = [".jsonl", ".json", ".csv", ".tsv", ".parquet", ".gz"]


def sample_choices() -> list[str]:
    return sorted(p.name for p in SAMPLES_DIR.glob("*.jsonl"))


def summary_markdown(report) -> str:
    style = "conversational" if report.conversational else "standard"
    verdict = ("**Ready to train.**" if report.usable else
               f"**{len(report.errors)} error(s) must be fixed before training** (see the findings below).")
    lines = [f"### {report.source}",
             f"**{report.rows} rows** · {report.file_format.upper()} · columns: `{'`, `'.join(report.columns)}`",
             f"**Detected shape:** {SHAPE_LABELS.get(report.shape, report.shape)} ({style})"]
    if report.conversion_note:
        lines.append(f"Note: {report.conversion_note}")
    lines.append(verdict + (f" {len(report.warnings)} warning(s)." if report.warnings else ""))
    return "\n\n".join(lines)


def findings_frame(report) -> pd.DataFrame:
    rows = [[f.level, f.where(), f.message] for f in report.findings]
    return pd.DataFrame(rows or [["—", "", "No problems found."]], columns=["level", "where", "what to do"])


def preview_frame(report) -> pd.DataFrame:
    def cell(value):
        if isinstance(value, list):
            return " | ".join(f"{m.get('role', '?')}: {m.get('content', '')}" if isinstance(m, dict) else str(m)
                              for m in value)
        return "" if value is None else str(value)

    return pd.DataFrame([{k: cell(v) for k, v in row.items()} for row in report.preview])


def load_dataset_file(path: str | Path, keep_dir: Path):
    """Inspect a file; uploads are copied next to the runs so a run can read them after the page is gone."""
    path = Path(path)
    if not str(path).startswith(str(SAMPLES_DIR)):
        kept = keep_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.name}"
        shutil.copyfile(path, kept)
        path = kept
    report, _ = inspect_dataset(path)
    return str(path), report


def build_data_tab(ctx, dataset_state: gr.State):
    gr.Markdown("Bring a dataset: JSON Lines, JSON, CSV, TSV or Parquet. The studio detects its shape, "
                "checks every row and tells you which training method fits.")
    with gr.Row():
        upload = gr.File(label="Upload a dataset file", file_types=FILE_TYPES, type="filepath",
                         elem_id="dataset-upload")
        sample = gr.Dropdown(sample_choices(), value=None, label="…or start from a sample dataset",
                             elem_id="dataset-sample")
    summary = gr.Markdown("No dataset loaded yet.", elem_id="dataset-summary")
    findings = gr.Dataframe(label="Findings", interactive=False, elem_id="dataset-findings", max_height=260)
    preview = gr.Dataframe(label="Preview (first 20 rows)", interactive=False, wrap=True, max_height=360)
    next_button = gr.Button("Use this dataset → Method", variant="primary", interactive=False)

    def on_file(path):
        if not path:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            kept, report = load_dataset_file(path, ctx.uploads_dir)
        except ValueError as exc:
            gr.Warning(str(exc))
            return None, f"**Could not use this file.** {exc}", None, None, gr.update(interactive=False)
        state = {"path": kept, "report": report.to_dict()}
        return state, summary_markdown(report), findings_frame(report), preview_frame(report), \
            gr.update(interactive=report.usable)

    outputs = [dataset_state, summary, findings, preview, next_button]
    upload.upload(on_file, inputs=upload, outputs=outputs)
    sample.input(lambda name: on_file(str(SAMPLES_DIR / name)) if name else on_file(None), inputs=sample,
                 outputs=outputs)
    return next_button
