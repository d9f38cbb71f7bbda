"""Data tab: a file, a sample or a hub dataset → detected shape, column mapping, findings, a paginated preview,
token lengths with the chosen model (histogram against max_length, rendered rows), and the hand-over to Method.

Rows with errors (and rows with images, audio or video: the studio trains text only) are left out of
training and counted in the summary; "Block on any error" turns that off. A preference file with score
columns can leave near-ties out (min score gap). A large file is checked as it streams past; the page keeps
its first `PAGE_ROWS` rows for paging and token lengths.

The helpers above `build_data_tab` are pure (report/rows → text, frames, figures) and tested without a browser.
"""

from __future__ import annotations

import shutil
import time
from collections import OrderedDict
from pathlib import Path

import gradio as gr
import pandas as pd

from ..data import inspect_dataset
from ..data.formats import SHAPE_LABELS, required_columns
from ..data.mapping import TARGETS
from ..models import model_choices
from ..shared import make_room
from ..training.spec import PROJECT_ROOT
from .markup import code, text
from .notify import warn

SAMPLES_DIR = PROJECT_ROOT / "presets" / "data"
FILE_TYPES = [".jsonl", ".json", ".csv", ".tsv", ".parquet", ".gz"]
NOT_MAPPED = "(none)"
PAGE_SIZES = [10, 20, 50, 100]
CELL_CHARS = 400
PAGE_ROWS = 50_000  # rows the page keeps for paging and token lengths; the rest are checked, then let go


def sample_choices() -> list[str]:
    return sorted(p.name for p in SAMPLES_DIR.glob("*.jsonl"))


def skipped_markdown(report) -> str:
    """What training leaves out and why (the commonest reasons), or "" when nothing is left out."""
    if not report.skipped_rows:
        return ""
    from ..data.validation import reason_counts

    counts = reason_counts(report.skipped).most_common(3)
    common = "; ".join(f"{count}× {text(reason, 160)}" for reason, count in counts)
    media = f", {report.media_rows:,} with images, audio or video" if report.media_rows else ""
    verb = "are left out of training" if report.usable else "would be left out"
    return (f"**{report.skipped_rows:,} row(s) {verb}** ({report.bad_rows:,} with errors{media}; "
            f"{report.training_rows:,} train): {common.rstrip('.')}. A run lists them in its skipped.jsonl.")


def scores_markdown(report) -> str:
    sc = report.scores
    if not sc:
        return ""
    line = (f"**Scores** {code(sc['chosen_column'], 60)} mean {sc['mean_chosen']} vs {code(sc['rejected_column'], 60)} "
            f"mean {sc['mean_rejected']} over {sc['rows']:,} pairs · gap p10 {sc['gap_p10']} · p50 {sc['gap_p50']} · "
            f"p90 {sc['gap_p90']} · {sc['ties']:,} tie(s) · {sc['inverted']:,} with chosen scored lower")
    if sc.get("min_score_gap") is not None:
        line += (f" · **{sc['below_min_gap']:,} pair(s) below the min score gap {sc['min_score_gap']:g}** are left "
                 "out of training")
    return line


def summary_markdown(report, origin: str = "", kept_rows: int | None = None) -> str:
    style = "conversational" if report.conversational else "standard"
    verdict = ("**Ready to train.**" if report.usable else
               f"**{len(report.errors)} error(s) must be fixed before training** (see the findings below): "
               f"{text(report.blocked_reason, 400)}")
    # File names, column names and notes come from the user's file: shown as text.
    columns = ", ".join(code(c, 80) for c in report.columns[:50]) + (" …" if len(report.columns) > 50 else "")
    lines = [f"### {text(report.source, 200)}",
             f"**{report.rows} rows** · {report.file_format.upper()} · columns: {columns}",
             f"**Detected shape:** {SHAPE_LABELS.get(report.shape, report.shape)} ({style})"]
    if origin:
        lines.insert(1, origin)
    lines += [f"Note: {text(note, 500)}" for note in report.conversions]
    lines += [line for line in (scores_markdown(report), skipped_markdown(report)) if line]
    if kept_rows is not None and kept_rows < report.training_rows:
        lines.append(f"Every row was checked; the preview pages through the first {kept_rows:,} of the "
                     f"{report.training_rows:,} rows that train.")
    lines.append(verdict + (f" {len(report.warnings)} warning(s)." if report.warnings else ""))
    return "\n\n".join(lines)


def findings_frame(report) -> pd.DataFrame:
    rows = [[f.level, f.where(), f.message] for f in report.findings]
    return pd.DataFrame(rows or [["—", "", "No problems found."]], columns=["level", "where", "what to do"])


def _cell(value) -> str:
    if isinstance(value, list):
        text = " | ".join(f"{m.get('role', '?')}: {m.get('content', '')}" if isinstance(m, dict) else str(m)
                          for m in value)
    else:
        text = "" if value is None else str(value)
    return text[:CELL_CHARS] + "…" if len(text) > CELL_CHARS else text


def preview_frame(report) -> pd.DataFrame:
    return pd.DataFrame([{k: _cell(v) for k, v in row.items()} for row in report.preview])


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // max(1, per_page)))


def page_frame(rows: list[dict], page: int, per_page: int) -> tuple[pd.DataFrame, str]:
    """One page of rows (page counts from 1, clamped), and a line saying which rows it shows."""
    per_page = max(1, int(per_page or 20))
    pages = page_count(len(rows), per_page)
    page = min(max(1, int(page or 1)), pages)
    start = (page - 1) * per_page
    chunk = rows[start:start + per_page]
    frame = pd.DataFrame([{"#": start + i + 1, **{k: _cell(v) for k, v in row.items()}} for i, row in enumerate(chunk)])
    shown = f"rows {start + 1}–{start + len(chunk)} of {len(rows):,} · page {page} of {pages}" if chunk else "no rows"
    return frame, shown


def mapping_targets(report) -> list[str]:
    """The targets worth a dropdown: the detected shape's columns, plus any target a column was or could be
    mapped to; every target when no shape was recognised."""
    if report.shape == "unknown":
        return list(TARGETS)
    wanted = set(required_columns(report.shape, report.columns))
    if report.shape == "preference":
        wanted.add("prompt")
    wanted |= set(report.column_mapping) | set(report.suggested_mapping)
    return [t for t in TARGETS if t in wanted]


def mapping_value(report, target: str) -> str:
    if target in report.column_mapping:
        return report.column_mapping[target]
    if target in report.source_columns and target not in report.column_mapping.values():
        return target
    return NOT_MAPPED


def mapping_updates(report) -> list:
    shown = set(mapping_targets(report))
    choices = [NOT_MAPPED, *report.source_columns]
    return [gr.update(choices=choices, value=mapping_value(report, t), visible=t in shown) for t in TARGETS]


def tokens_markdown(stats) -> str:
    s = stats.summary()
    scope = (f"a random sample of {stats.rows_measured:,} of {stats.rows_total:,} rows" if stats.sampled
             else f"all {stats.rows_measured:,} rows")
    lines = [f"**Token lengths** with {code(stats.model)}'s tokenizer and chat template, as "
             f"{stats.method.upper()} will "
             f"see them ({scope}):",
             f"prompt p50 {s['prompt']['p50']} · p95 {s['prompt']['p95']} · max {s['prompt']['max']} — "
             f"completion p50 {s['completion']['p50']} · p95 {s['completion']['p95']} · max {s['completion']['max']}"]
    if stats.truncated:
        estimate = f" (about {stats.truncated_estimate:,} in the whole dataset)" if stats.sampled else ""
        lines.append(f"**Warning: {stats.truncated:,} row(s) longer than max_length {stats.max_length}**{estimate} "
                     "would be cut short in training. Raise max_length or shorten them.")
    else:
        lines.append(f"**No row is longer than max_length {stats.max_length}.**")
    if stats.skipped:
        lines.append(f"{stats.skipped} row(s) with errors were left out.")
    return "\n\n".join(lines)


def length_histogram(stats):
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Histogram(x=stats.total_lengths, name="prompt + completion", opacity=0.75, nbinsx=40))
    if any(stats.prompt_lengths):
        fig.add_trace(go.Histogram(x=stats.prompt_lengths, name="prompt", opacity=0.55, nbinsx=40))
    fig.add_vline(x=stats.max_length, line_dash="dash", line_color="crimson",
                  annotation_text=f"max_length {stats.max_length}", annotation_position="top left")
    fig.update_layout(barmode="overlay", height=300, margin=dict(l=50, r=20, t=40, b=40),
                      title=dict(text="Token lengths per row", x=0.01, y=0.97, font=dict(size=13)),
                      xaxis_title="tokens", yaxis_title="rows",
                      legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))
    return fig


def rendered_markdown(stats) -> str:
    parts = []
    for index, row in enumerate(stats.rendered, start=1):
        parts.append(f"**Row {index}**" + (f" · label {row['label']}" if "label" in row else ""))
        for key, value in row.items():
            if key != "label":
                parts.append(f"*{text(key, 80)}*\n```text\n{str(value).replace('```', 'ʼʼʼ')}\n```")
    return "\n\n".join(parts) or "Nothing to show."


class RowsCache:
    """The last few inspected datasets' rows, for paging without re-reading (and without copying them into
    every session's gr.State)."""

    def __init__(self, size: int = 3):
        self.size, self.items = size, OrderedDict()

    def put(self, key: str, value) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def get(self, key: str):
        if key in self.items:
            self.items.move_to_end(key)
        return self.items.get(key)


def keep_upload(path: str | Path, keep_dir: Path, safe_name=None) -> Path:
    """Uploads are copied next to the runs so a run can read them after the page is gone."""
    path = Path(path)
    if str(path).startswith(str(SAMPLES_DIR)) or str(path).startswith(str(keep_dir)):
        return path
    name = safe_name(path.name) if safe_name else path.name
    kept = keep_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    shutil.copyfile(path, kept)
    return kept


def load_dataset_file(path: str | Path, keep_dir: Path, mapping: dict | None = None, policy=None,
                      keep: set = frozenset(), skip_bad_rows: bool = True, min_score_gap: float | None = None):
    """Inspect a file (copied into `keep_dir` when uploaded). With a mapping of the user's, the mapped rows are
    written next to it as they stream past, so training reads exactly what the tab showed.
    Returns (kept file, training path, report, rows: the first PAGE_ROWS that train). `policy`: shared mode's
    upload limits (and its disk quota for uploads, which removes the oldest ones not in `keep`, the files runs
    still need)."""
    import json

    limits = policy.read_limits() if policy is not None else {}
    if policy is not None and Path(path).is_file() and Path(path).stat().st_size > policy.max_upload_bytes:
        inspect_dataset(path, **limits)  # raises the size message before any copy
    if policy is not None and policy.enabled and not str(path).startswith((str(SAMPLES_DIR), str(keep_dir))):
        make_room(keep_dir, 2 * Path(path).stat().st_size, policy.limits.uploads_bytes, keep)
    kept = keep_upload(path, keep_dir, policy.safe_upload_name if policy is not None else None)
    options = dict(skip_bad_rows=skip_bad_rows, min_score_gap=min_score_gap or None, keep_rows=PAGE_ROWS, **limits)
    if not mapping:
        report, rows = inspect_dataset(kept, **options)
        train_path = kept
    else:
        from ..data import inspect_file

        mapped = keep_dir / f"{kept.stem.removesuffix('.jsonl')}-mapped.jsonl"
        part = mapped.with_name(mapped.name + ".part")
        with open(part, "w", encoding="utf-8") as handle:
            def write(row: dict) -> None:
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            try:
                found = inspect_file(kept, mapping, sink=write, **options)
            except BaseException:
                handle.close()
                part.unlink(missing_ok=True)
                raise
        report, rows = found.report, found.rows
        if report.column_mapping:
            train_path = part.replace(mapped)
        else:
            part.unlink(missing_ok=True)
            train_path = kept
    report.source = Path(path).name  # the name the user knows, not the kept copy's
    return str(kept), str(train_path), report, rows


def build_data_tab(ctx, dataset_state: gr.State):
    gr.Markdown("Bring a dataset: JSON Lines, JSON, CSV, TSV or Parquet (or a Hugging Face dataset id). The studio "
                "detects its shape, maps its columns, checks every row and tells you which training method fits.")
    with gr.Row():
        upload = gr.File(label="Upload a dataset file", file_types=FILE_TYPES, type="filepath",
                         elem_id="dataset-upload")
        with gr.Column():
            sample = gr.Dropdown(sample_choices(), value=None, label="…or start from a sample dataset",
                                 elem_id="dataset-sample")
            with gr.Accordion("…or a Hugging Face dataset", open=False):
                with gr.Row():
                    hub_name = gr.Textbox(label="Dataset id", placeholder="org/name", elem_id="dataset-hub-id")
                    hub_config = gr.Textbox(label="Config", placeholder="(default)")
                    hub_split = gr.Textbox(label="Split", value="train", placeholder="train or train[:1000]")
                hub_button = gr.Button("Load from the Hub", size="sm")
    summary = gr.Markdown("No dataset loaded yet.", elem_id="dataset-summary")
    with gr.Accordion("Column mapping: which of your columns plays which part", open=True,
                      elem_id="dataset-mapping"):
        gr.Markdown("Guessed from the column names; change a choice and the file is checked again with it.")
        with gr.Row():
            dropdowns = [gr.Dropdown([NOT_MAPPED], value=NOT_MAPPED, label=target, visible=False,
                                     elem_id=f"dataset-map-{target}", min_width=140) for target in TARGETS]
    with gr.Row(equal_height=True):
        strict = gr.Checkbox(label="Block on any error (otherwise rows with errors are left out of training, "
                                   "up to 5% of the file)", value=False, elem_id="dataset-strict", scale=3)
        min_gap = gr.Number(value=0, minimum=0, label="Min score gap (pairs with score columns: leave out near-ties)",
                            elem_id="dataset-min-score-gap", scale=2)
    findings = gr.Dataframe(label="Findings (a row with an error is left out of training; an error that names no "
                                  "row, or bad rows over 5% of the file, blocks it; warnings don't)",
                            interactive=False, elem_id="dataset-findings", max_height=260, wrap=True)
    with gr.Row(equal_height=True):
        page = gr.Number(value=1, precision=0, minimum=1, label="Page", scale=1, elem_id="dataset-page")
        per_page = gr.Dropdown(PAGE_SIZES, value=20, label="Rows per page", scale=1)
        page_info = gr.Markdown("", elem_id="dataset-page-info")
    preview = gr.Dataframe(label="Preview", interactive=False, wrap=True, max_height=420, elem_id="dataset-preview")
    with gr.Accordion("Token lengths with your model", open=True, elem_id="dataset-tokens"):
        with gr.Row():
            model = gr.Dropdown(model_choices(), value=ctx.default_model, allow_custom_value=True, label="Model",
                                scale=3)
            max_length = gr.Number(value=1024, precision=0, minimum=1, label="max_length (tokens)", scale=1)
            exact = gr.Checkbox(label="Every row (slower)", value=False, scale=1)
            measure = gr.Button("Measure", scale=1, min_width=100)
        tokens_text = gr.Markdown("Load a dataset to see its token lengths.", elem_id="dataset-token-summary")
        histogram = gr.Plot(label="Token lengths", show_label=False, elem_id="dataset-histogram")
        with gr.Accordion("Rows as the trainer sees them (chat template applied)", open=False):
            rendered = gr.Markdown("", elem_id="dataset-rendered")
    next_button = gr.Button("Use this dataset → Method", variant="primary", interactive=False)
    current = gr.State(None)  # {"file": the kept file, "key": rows-cache key, "origin": where from, "name": shown}
    cache = RowsCache()

    def show(file_path: str, mapping: dict | None, origin: str = "", name: str = "", block: bool = False,
             gap=None):
        gap = float(gap) if gap else None
        kept, train_path, report, rows = load_dataset_file(file_path, ctx.uploads_dir, mapping,
                                                           getattr(ctx, "policy", None), in_use(),
                                                           skip_bad_rows=not block, min_score_gap=gap)
        report.source = name or report.source
        key = f"{kept}|{sorted(report.column_mapping.items())}|{block}|{gap}"
        cache.put(key, (report, rows))
        # skip_bad_rows / min_score_gap travel with the dataset: they are the run's keys of the same names.
        state = {"path": train_path, "report": report.to_dict(), "skip_bad_rows": not block,
                 "min_score_gap": gap or 0.0}
        frame, shown = page_frame(rows, 1, 20)
        return (state, {"file": kept, "key": key, "origin": origin, "name": report.source,
                        "mapping": mapping, "block": block, "gap": gap},
                summary_markdown(report, origin, len(rows)),
                findings_frame(report), *mapping_updates(report), 1, shown, frame,
                gr.update(interactive=report.usable))

    def in_use() -> set:
        """Uploads that runs still read (the one training, the queued ones): never removed for room."""
        return {Path(p) for p in ctx.runner.datasets_in_use()}

    def failed(exc: Exception):
        warn(ctx, exc)
        return (None, None, f"**Could not use this file.** {text(ctx.visible(exc), 600)}", None,
                *[gr.update(visible=False)] * len(TARGETS), 1, "", None, gr.update(interactive=False))

    def on_file(path, block=False, gap=None):
        if not path:
            return (gr.skip(),) * len(outputs)
        try:
            return show(path, None, block=bool(block), gap=gap)
        except ValueError as exc:
            return failed(exc)

    def on_options(state, block, gap):
        """Block on any error / min score gap changed: the same file, checked again with them."""
        if not state:
            return (gr.skip(),) * len(outputs)
        try:
            if gap is not None and float(gap) < 0:
                raise ValueError("The min score gap is a number ≥ 0 (0 keeps every scored pair).")
            return show(state["file"], state.get("mapping"), state.get("origin", ""), state.get("name", ""),
                        bool(block), gap)
        except ValueError as exc:
            warn(ctx, exc)
            return (gr.skip(),) * len(outputs)

    def on_hub(name, config, split, block=False, gap=None):
        if not (name or "").strip():
            warn(ctx, "Type a dataset id like org/name first.")
            return (gr.skip(),) * len(outputs)
        try:
            from ..data.hub import hub_to_file

            if ctx.shared:
                make_room(ctx.uploads_dir, 2 * ctx.limits.upload_bytes, ctx.limits.uploads_bytes, in_use())
            path = hub_to_file(name.strip(), ctx.uploads_dir, (config or "").strip() or None,
                               (split or "").strip() or None)
            return show(str(path), None, origin=f"From the Hugging Face Hub: {code(name.strip(), 120)}",
                        block=bool(block), gap=gap)
        except ValueError as exc:
            return failed(exc)

    def on_mapping(state, *values):
        if not state:
            return (gr.skip(),) * len(outputs)
        mapping = {t: (None if v in (None, NOT_MAPPED) else v) for t, v in zip(TARGETS, values)}
        try:
            return show(state["file"], mapping, state.get("origin", ""), state.get("name", ""),
                        state.get("block", False), state.get("gap"))
        except ValueError as exc:
            warn(ctx, exc)
            return (gr.skip(),) * len(outputs)

    def rows_for(state):
        if not state:
            return None
        cached = cache.get(state["key"])
        return cached[1] if cached else None

    def on_page(state, number, size):
        rows = rows_for(state)
        if rows is None:
            return gr.skip(), gr.skip(), gr.skip()
        frame, shown = page_frame(rows, number, size)
        pages = page_count(len(rows), int(size or 20))
        return min(max(1, int(number or 1)), pages), shown, frame

    def on_tokens(state, name, limit, every):
        cached = cache.get(state["key"]) if state else None
        if cached is None:
            return "Load a dataset to see its token lengths.", None, ""
        report, rows = cached
        if report.shape == "unknown":
            return "Token lengths appear once the dataset's shape is recognised.", None, ""
        try:
            from ..data.tokens import measure_tokens

            if getattr(ctx, "policy", None) is not None and (name or "").strip():
                ctx.policy.check_model(name.strip())
            from ..methods import token_view

            method, prepare = token_view(report.shape)
            stats = measure_tokens(report, rows, (name or "").strip() or None, int(limit or 1024), exact=bool(every),
                                   method=method, prepare=prepare)
        except Exception as exc:  # a model that can't be had, a tokenizer that can't render: say so, don't crash
            return f"**Could not measure token lengths:** {exc}", None, ""
        return tokens_markdown(stats), length_histogram(stats), rendered_markdown(stats)

    outputs = [dataset_state, current, summary, findings, *dropdowns, page, page_info, preview, next_button]
    token_outputs = [tokens_text, histogram, rendered]
    token_inputs = [current, model, max_length, exact]
    upload.upload(on_file, inputs=[upload, strict, min_gap], outputs=outputs).then(on_tokens, token_inputs,
                                                                                   token_outputs)

    def on_sample(name, block, gap):
        if name not in sample_choices():  # a name from the page, so only the bundled samples
            return on_file(None)
        return on_file(str(SAMPLES_DIR / name), block, gap)

    sample.input(on_sample, inputs=[sample, strict, min_gap],
                 outputs=outputs).then(on_tokens, token_inputs, token_outputs)
    hub_button.click(on_hub, [hub_name, hub_config, hub_split, strict, min_gap],
                     outputs).then(on_tokens, token_inputs, token_outputs)
    strict.input(on_options, [current, strict, min_gap], outputs).then(on_tokens, token_inputs, token_outputs)
    for event in (min_gap.submit, min_gap.blur):
        event(on_options, [current, strict, min_gap], outputs).then(on_tokens, token_inputs, token_outputs)
    for dropdown in dropdowns:
        dropdown.input(on_mapping, [current, *dropdowns], outputs).then(on_tokens, token_inputs, token_outputs)
    page.input(on_page, [current, page, per_page], [page, page_info, preview])
    page.submit(on_page, [current, page, per_page], [page, page_info, preview])
    per_page.input(lambda state, size: on_page(state, 1, size), [current, per_page], [page, page_info, preview])
    measure.click(on_tokens, token_inputs, token_outputs)
    max_length.submit(on_tokens, token_inputs, token_outputs)
    return next_button
