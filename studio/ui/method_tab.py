"""Method tab: the decision tree's recommendation for the loaded dataset, its reasons, and the table."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from ..methods.registry import (ANSWERS_FROM_SHAPE, COMPARISON_HEADERS, METHODS, TREE, comparison_rows,
                                recommend_method)
from .tree_diagram import tree_svg


def recommendation_markdown(rec) -> str:
    spec = rec.spec
    lines = [f"## Recommended: {spec.name}", f"*{spec.kind} · trainer: `{spec.trainer}`*", "", "**Why:**"]
    lines += [f"- {reason}" for reason in rec.reasons]
    if spec.cost:
        lines += ["", spec.cost]
    if spec.beta_name:
        lines += ["", f"**{spec.beta_name}:** {spec.beta_range} (default {spec.beta_default}). {spec.beta_note}"]
    lines += options_markdown(spec)
    if rec.alternatives:
        names = ", ".join(METHODS[m].name for m in rec.alternatives)
        lines += ["", f"**Also fits this data:** {names}."]
    return "\n".join(lines)


def options_markdown(spec) -> list[str]:
    """The choices a method offers for its TRL fields (DPO's losses), each with when it fits and its β."""
    lines = []
    for key, options in spec.options.items():
        lines += ["", f"**Choose `{key}` (the first is TRL's default; pick it on the Train tab):**"]
        lines += [f"- `{o.value}` — {o.fits} *β: {o.beta}*" if o.beta else f"- `{o.value}` — {o.fits}" for o in options]
    return lines


def table_frame(method: str | None) -> pd.DataFrame:
    rows = [[("▶ " if m.id == method else "") + row[0], *row[1:]]
            for m, row in zip(METHODS.values(), comparison_rows())]
    return pd.DataFrame(rows, columns=COMPARISON_HEADERS)


def build_method_tab(ctx, dataset_state: gr.State, method_state: gr.State):
    with gr.Row():
        with gr.Column(scale=5):
            diagram = gr.HTML(tree_svg(), elem_id="method-tree")
        with gr.Column(scale=4):
            recommendation = gr.Markdown("Load a dataset on the Data tab first; the recommendation appears here.",
                                         elem_id="method-recommendation")
    gr.Markdown("#### Your answers — those your data gives are filled in and locked; answer the rest if you like")
    radios = {}
    with gr.Row():
        for question in TREE.values():
            radios[question.id] = gr.Radio(list(question.answers), label=question.text, value=None)
    table = gr.Dataframe(table_frame(None), label="How the methods compare", interactive=False, wrap=True)
    use_button = gr.Button("Train with this method → Train", variant="primary", interactive=False)

    def update(state, *answers, reset=False):
        shape = (state or {}).get("report", {}).get("shape")
        if not shape:
            return (None, "Load a dataset on the Data tab first; the recommendation appears here.", tree_svg(),
                    table_frame(None), gr.update(interactive=False), *[gr.update() for _ in radios])
        given = ANSWERS_FROM_SHAPE.get(shape, {})
        mine = {qid: a for qid, a in zip(radios, answers) if a and qid not in given}
        rec = recommend_method(shape, mine)
        radio_updates = [gr.update(value=given[qid], interactive=False) if qid in given
                         else gr.update(interactive=True, **({"value": None} if reset else {})) for qid in radios]
        return (rec.method, recommendation_markdown(rec), tree_svg(rec.answers_taken, rec.method),
                table_frame(rec.method),
                gr.update(interactive=True), *radio_updates)

    outputs = [method_state, recommendation, diagram, table, use_button, *radios.values()]
    # A new dataset starts the tree afresh: answers given for the previous one no longer apply.
    dataset_state.change(lambda state: update(state, *[None] * len(radios), reset=True), inputs=dataset_state,
                         outputs=outputs)
    for radio in radios.values():
        radio.input(update, inputs=[dataset_state, *radios.values()], outputs=outputs)
    return use_button
