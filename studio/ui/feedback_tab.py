"""Feedback tab: people judge two answers side by side (or rate one), and what they choose becomes training data.

A queue's answers come from a run's base and aligned model, two runs, or two samples of one model (or one answer
each, for thumbs only), on prompts from a file, the Data tab's dataset or a run's held-out rows. Every choice
(A better, B better, tie, both bad, a thumb on one answer, an edit that becomes the better answer) is on disk
when the page shows the next pair, so a reload, a second tab or a crash loses nothing; Undo takes back the
person's own last choice. Keyboard: 1 2 3 4 (A, B, tie, both bad), Q W / O P (thumbs on A / B), S skip, U undo,
E to edit. "Train DPO" / "Train KTO" start an ordinary run on what was collected; "Next round" asks the trained
model. In shared mode everyone labels the same queues, each label under its annotator's hash, with counts and
agreement shown. Storage and rounds live in studio/feedback/; this file only shows them.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from ..evaluation.generate import DecodeSettings
from ..feedback import rounds, store
from ..feedback.rounds import PAIRINGS
from ..feedback.store import CHOICE_WORDS, annotator_id, prompt_display, shown_annotator
from ..methods.registry import METHODS
from ..services import client_address
from .markup import code, text
from .notify import info, warn
from .train_tab import progress_bar

EMPTY = "(no text: the model ended its answer at once)"
SHARED_ROUNDS_PER_QUEUE = 10
SHARED_MAX_NEW_TOKENS = 256
POLL_SECONDS = 2  # while a round is being generated, the page looks again this often
SOURCES = {"file": "A file of prompts", "dataset": "The Data tab's dataset", "holdout": "A run's held-out rows"}

KEYS_HINT = ("<div class='fb-keys'>Keys: <kbd>1</kbd> A better · <kbd>2</kbd> B better · <kbd>3</kbd> tie · "
             "<kbd>4</kbd> both bad · <kbd>Q</kbd>/<kbd>W</kbd> A good/bad · <kbd>O</kbd>/<kbd>P</kbd> B good/bad · "
             "<kbd>S</kbd> skip · <kbd>U</kbd> undo · <kbd>E</kbd> edit (<kbd>Ctrl</kbd>+<kbd>Enter</kbd> saves)"
             "</div>")
# Installed once per page. A key acts only when its button is on screen (the Feedback tab is open, and the
# button is shown for this queue) and the focus is not in a field someone types into.
KEYS_JS = """
if (!window.__studioFeedbackKeys) {
  window.__studioFeedbackKeys = true;
  const keys = {"1": "fb-a", "2": "fb-b", "3": "fb-tie", "4": "fb-both-bad", "q": "fb-up-a", "w": "fb-down-a",
                "o": "fb-up-b", "p": "fb-down-b", "s": "fb-skip", "u": "fb-undo", "+": "fb-up-a", "-": "fb-down-a"};
  const shown = (id) => {
    const found = document.getElementById(id);
    const button = found && (found.tagName === "BUTTON" ? found : found.querySelector("button"));
    return button && button.offsetParent !== null && !button.disabled ? button : null;
  };
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target && (target.isContentEditable || target.tagName === "SELECT" ||
      ((target.tagName === "INPUT" || target.tagName === "TEXTAREA") && !target.readOnly && !target.disabled));
    if (typing) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.closest("#fb-edit")) {
        const save = shown("fb-save-edit");
        if (save) { event.preventDefault(); save.click(); }
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const key = event.key.toLowerCase();
    if (key === "e") {
      const box = document.querySelector("#fb-edit textarea");
      if (box && box.offsetParent !== null) { event.preventDefault(); box.focus(); }
      return;
    }
    const button = keys[key] && shown(keys[key]);
    if (button) { event.preventDefault(); button.click(); }
  });
}
"""
CSS = """
.fb-keys { color: var(--body-text-color-subdued); font-size: 0.9em; }
.fb-keys kbd { border: 1px solid var(--border-color-primary); border-radius: 4px; padding: 0 4px; font-size: 0.9em; }
"""


@dataclass
class FeedbackTab:
    """What create_app wires: opening the tab refreshes it (queues, pickers and the current pair)."""

    refresh: object
    inputs: list
    outputs: list


def _settings(tokens, temperature, top_p, seed) -> DecodeSettings:
    return DecodeSettings(int(tokens or 64), float(temperature or 0), float(top_p or 1), int(seed or 0))


def _answer(value) -> str:
    return value if (value or "").strip() else EMPTY


def build_feedback_tab(ctx, dataset_state, visitor) -> FeedbackTab:
    from . import browser_secret

    shared = ctx.shared
    gr.Markdown("Judge answers side by side: which is better, a tie, both bad, a thumb on one answer, or your own "
                "edit of one as the better answer. Every choice is saved as you make it (a reload or a second tab "
                "loses nothing), then trains a model: **DPO** on the pairs, **KTO** on the thumbs; the next round "
                "asks the model trained on your choices." + (" Everyone here labels the same queues; your labels "
                                                             "count under an anonymous hash." if shared else ""))
    with gr.Row():
        session = gr.Dropdown([], label="Feedback queue", scale=4, elem_id="fb-session")
        refresh = gr.Button("↻ Refresh", scale=1, elem_id="fb-refresh")
    with gr.Accordion("Start a new queue", open=False, elem_id="fb-new") as new_box:
        with gr.Row():
            title = gr.Textbox(label="Name", placeholder="e.g. politeness round 1", scale=2, max_length=80,
                               elem_id="fb-title")
            prompts_from = gr.Radio([(v, k) for k, v in SOURCES.items()], value="file", label="Prompts from", scale=3,
                                    elem_id="fb-prompts-from")
        with gr.Row():
            prompts_file = gr.File(label="Prompts (JSONL, JSON, CSV, TSV or Parquet: a prompt column, chats or pairs)",
                                   file_types=[".jsonl", ".json", ".csv", ".tsv", ".parquet", ".gz"],
                                   elem_id="fb-file", scale=3)
            holdout_run = gr.Dropdown([], label="Run whose held-out rows to use", visible=False, scale=3,
                                      elem_id="fb-holdout-run")
            limit = gr.Number(ctx.limits.eval_rows if shared else 32, label="Prompts (at most)", precision=0,
                              minimum=1, scale=1, elem_id="fb-limit")
        with gr.Row():
            pairing = gr.Radio([(v, k) for k, v in PAIRINGS.items()], value="two_samples", label="Answers",
                               elem_id="fb-pairing")
        with gr.Row():
            run_a = gr.Dropdown([], label="Run", visible=False, scale=2, elem_id="fb-run-a")
            run_b = gr.Dropdown([], label="Second run", visible=False, scale=2, elem_id="fb-run-b")
            model = gr.Dropdown([ctx.default_model], value=ctx.default_model, label="Model (or a run's aligned model)",
                                allow_custom_value=not shared, scale=2, elem_id="fb-model")
        with gr.Row():
            max_new_tokens = gr.Slider(8, SHARED_MAX_NEW_TOKENS if shared else 512, value=64, step=8,
                                       label="Max new tokens", elem_id="fb-tokens")
            temperature = gr.Slider(0, 1.5, value=0.7, step=0.05, label="Temperature (0 = greedy)")
            top_p = gr.Slider(0.05, 1, value=1, step=0.05, label="Top-p")
            seed = gr.Number(0, label="Seed", precision=0)
        generate = gr.Button("Generate the answers", variant="primary", elem_id="fb-generate")

    progress = gr.HTML(progress_bar(0), elem_id="fb-progress", padding=False)
    status = gr.Markdown(elem_id="fb-status")
    with gr.Column(elem_id="fb-judging") as judging:
        prompt = gr.Textbox(label="Prompt", interactive=False, lines=2, max_lines=12, elem_id="fb-prompt")
        with gr.Row(equal_height=True):
            with gr.Column():
                answer_a = gr.Textbox(label="Answer A", interactive=False, lines=6, max_lines=24,
                                      elem_id="fb-answer-a")
                with gr.Row():
                    up_a = gr.Button("A is good · Q", size="sm", elem_id="fb-up-a")
                    down_a = gr.Button("A is bad · W", size="sm", elem_id="fb-down-a")
            with gr.Column() as column_b:
                answer_b = gr.Textbox(label="Answer B", interactive=False, lines=6, max_lines=24,
                                      elem_id="fb-answer-b")
                with gr.Row():
                    up_b = gr.Button("B is good · O", size="sm", elem_id="fb-up-b")
                    down_b = gr.Button("B is bad · P", size="sm", elem_id="fb-down-b")
        with gr.Row() as pair_row:
            a_better = gr.Button("A is better · 1", variant="primary", elem_id="fb-a")
            b_better = gr.Button("B is better · 2", variant="primary", elem_id="fb-b")
            tie = gr.Button("Tie · 3", elem_id="fb-tie")
            both_bad = gr.Button("Both bad · 4", elem_id="fb-both-bad")
        with gr.Row(equal_height=True):
            edit_box = gr.Textbox(label="Or write a better answer (E); it is preferred over the answer it replaces",
                                  lines=5, max_lines=12, max_length=store.MAX_EDIT_CHARS, scale=4, elem_id="fb-edit")
            with gr.Column(scale=1, min_width=180):
                edit_side = gr.Radio([("A", "a"), ("B", "b")], value="a", label="It replaces answer",
                                     elem_id="fb-edit-side")
                with gr.Row():
                    from_a = gr.Button("Start from A", size="sm")
                    from_b = gr.Button("Start from B", size="sm")
                save_edit = gr.Button("Save my edit · Ctrl+Enter", size="sm", elem_id="fb-save-edit")
    with gr.Row():
        skip = gr.Button("Skip · S", size="sm", elem_id="fb-skip")
        undo = gr.Button("Undo my last choice · U", size="sm", elem_id="fb-undo")
    last = gr.Markdown(elem_id="fb-last")
    gr.HTML(KEYS_HINT, js_on_load=KEYS_JS, css_template=CSS, elem_id="fb-keys", padding=False)
    stats = gr.Markdown(elem_id="fb-stats")
    with gr.Accordion("Train on what was collected", open=True):
        collected = gr.Markdown(elem_id="fb-collected")
        with gr.Row():
            train_model = gr.Dropdown([], label="Model to train (the aligned side by default)",
                                      allow_custom_value=not shared, scale=3, elem_id="fb-train-model")
            steps = gr.Number(40, label="Steps", precision=0, minimum=1, scale=1, elem_id="fb-steps")
        with gr.Row():
            train_dpo = gr.Button("Train DPO on the pairs", variant="primary", elem_id="fb-train-dpo")
            train_kto = gr.Button("Train KTO on the thumbs", elem_id="fb-train-kto")
            next_round = gr.Button("Next round: answers from the trained model", elem_id="fb-next-round")
        train_status = gr.Markdown(elem_id="fb-train-status")
        with gr.Row():
            export = gr.Button("Export the labels as files", size="sm", elem_id="fb-export")
            pairs_file = gr.DownloadButton("Download pairs (DPO)", visible=False, size="sm")
            thumbs_file = gr.DownloadButton("Download rated answers (KTO)", visible=False, size="sm")
    with gr.Accordion("Delete this queue", open=False, elem_id="fb-delete-box"):
        gr.Markdown("Deletes the queue with its answers and labels. " + (
            "Only whoever started a queue can delete it, and only while every label in it is their own."
            if shared else "A queue that a run trained on stays (the run's data is in it)."))
        with gr.Row():
            sure = gr.Checkbox(False, label="Yes, delete this queue and its labels", elem_id="fb-delete-sure")
            delete = gr.Button("Delete the queue", variant="stop", size="sm", elem_id="fb-delete")
    item_state = gr.State("")
    skipped = gr.State([])
    remembered = gr.BrowserState("", storage_key="alignment-studio-feedback-queue",
                                 secret=browser_secret(ctx.runs_dir))
    timer = gr.Timer(POLL_SECONDS, active=False)

    view = [item_state, progress, status, prompt, answer_a, answer_b, judging, column_b, pair_row, stats, collected,
            timer]

    # What the page shows ----------------------------------------------------------------------------------------

    def open_queue(name):
        return store.open_session(ctx.runs_dir, name)

    def show(name, who, skip_ids=(), prefer: str = "") -> list:
        """The view for this visitor: the next pair (or `prefer`, while they haven't judged it), progress, counts."""
        blank = [gr.update(value="")] * 3
        if not name:
            return ["", progress_bar(0), "No feedback queue yet: start one under **Start a new queue** above.",
                    *blank, gr.update(visible=False), gr.update(visible=True), gr.update(visible=True), "", "",
                    gr.Timer(active=False)]
        session = open_queue(name)
        meta = session.meta()
        items, folded, me = session.items(), session.folded(), annotator_id(who)
        done = store.judged_items(items, folded, me)
        current = next((i for i in items if i["id"] == prefer and i["id"] not in done), None) or \
            store.next_item(items, folded, me, skip_ids)
        counts = store.progress(items, folded, me)
        state = rounds.round_state(session, meta)
        live = rounds.round_progress(session)
        generating = state == "generating"
        round_no = len(meta.get("rounds", []))
        lines = [f"**{text(meta.get('title', name), 80)}** · round {round_no} · you judged **{counts.mine} of "
                 f"{counts.total}** · {counts.labels} labels from {counts.annotators} annotator(s) on "
                 f"{counts.anyone} item(s)"]
        if generating and live is not None:
            lines.append(text(live.line()))
        elif state == "failed":
            lines.append(text(f"Round {round_no} stopped: {ctx.visible(meta['rounds'][-1].get('message', ''))}"))
        elif state == "interrupted":
            lines.append(f"Round {round_no} was interrupted (the app stopped while answering); its "
                         f"{meta['rounds'][-1].get('items', 0)} items so far are here.")
        if current is None and counts.total and not generating:
            lines.append("**You have judged every item.** Train on them below, or start the next round.")
        single = session.is_single
        if current is None:
            shown = ["", "", ""]
        else:
            shown = [prompt_display(current["prompt"]), _answer(current["a"]["text"]),
                     "" if single else _answer(current["b"]["text"])]
        return [current["id"] if current else "", progress_bar(counts.percent), "\n\n".join(lines), *shown,
                gr.update(visible=current is not None), gr.update(visible=not single), gr.update(visible=not single),
                stats_markdown(folded, me),
                collected_markdown(session, folded, items), gr.Timer(active=generating)]

    def stats_markdown(folded, me) -> str:
        rows = store.annotator_counts(folded)
        if not rows:
            return "**Annotators:** nobody has judged this queue yet."
        notes = [f"{folded.undone} undone"] if folded.undone else []
        notes += [f"{folded.unreadable} unreadable line(s) skipped"] if folded.unreadable else []
        head = (f"**Annotators:** {len(rows)} · {len(folded.labels)} labels in force"
                + (f" ({'; '.join(notes)})" if notes else "") + ".")
        table = ["| annotator | pairs | thumbs | edits | agrees with others |", "|---|---|---|---|---|"]
        for row in rows[:20]:
            agreed = f"{row['agreed']} of {row['compared']}" if row["compared"] else "—"
            table.append(f"| {text(shown_annotator(row['annotator'], me))} | {row['pairs']} | {row['thumbs']} | "
                         f"{row['edits']} | {agreed} |")
        more = f"\n\n…and {len(rows) - 20} more annotators." if len(rows) > 20 else ""
        agree = store.agreement(folded)
        if agree["compared"]:
            line = (f"**Agreement** where two annotators judged the same pair or answer: {agree['agreed']} of "
                    f"{agree['compared']} comparisons on {agree['items']} item(s) ({agree['rate']:.0%}, 95% CI "
                    f"{agree['ci_low']:.0%}–{agree['ci_high']:.0%}).")
        else:
            line = "**Agreement:** no pair has been judged by two annotators yet."
        return head + "\n\n" + "\n".join(table) + more + "\n\n" + line

    def collected_markdown(session, folded, items) -> str:
        pairs, thumbs = store.export_pairs(folded, items), store.export_unpaired(folded, items)
        lines = [f"**For DPO:** {text(pairs.note())}. **For KTO:** {text(thumbs.note())}"
                 + (f" ({thumbs.good} good, {len(thumbs.rows) - thumbs.good} bad)." if thumbs.rows else ".")]
        runs = rounds.session_runs(session, ctx.runs_dir, ctx.runner.active_dirs())
        if runs:
            shown = [f"{code(r['name'])} ({text(METHODS[r['method']].name if r.get('method') in METHODS else '?')}, "
                     f"{text(r.get('state', '?'))})" for r in runs[:5]]
            lines.append("**Trained on this queue:** " + ", ".join(shown) + ".")
        return "\n\n".join(lines)

    def safe_show(name, who, skip_ids=(), prefer: str = "") -> list:
        try:
            return show(name, who, skip_ids, prefer)
        except ValueError as exc:
            warn(ctx, exc)
            return show("", who)

    def queue_choices() -> list[tuple[str, str]]:
        return [(f"{s['title']} · {s['items']} items · round {s['rounds']}", s["name"])
                for s in store.list_sessions(ctx.runs_dir)]

    def pickers() -> list:
        active = ctx.runner.active_dirs()
        answering = [(f"{r['name']} · {r.get('method', '?')}", r["name"])
                     for r in rounds.answering_runs(ctx.runs_dir, active)]
        held = [(f"{r['name']} · {r.get('method', '?')}", r["name"])
                for r in rounds.runs_with_holdout(ctx.runs_dir, active)]
        models = [(ctx.default_model, ctx.default_model)] + [(f"{label} (aligned)", rounds.RUN_PREFIX + name)
                                                             for label, name in answering]
        return [gr.update(choices=answering), gr.update(choices=answering), gr.update(choices=models),
                gr.update(choices=held)]

    def train_choices(name) -> dict:
        try:
            choices = rounds.policy_choices(open_queue(name), ctx.runs_dir) if name else []
        except ValueError:
            choices = []
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    def on_refresh(name, who, stored, skip_ids):
        choices = queue_choices()
        names = [value for _, value in choices]
        name = name if name in names else stored if stored in names else names[0] if names else ""
        return [gr.update(choices=choices, value=name or None), gr.update(open=True) if not names else gr.update(),
                *pickers(),
                train_choices(name), name, *safe_show(name, who, skip_ids)]

    refresh_outputs = [session, new_box, run_a, run_b, model, holdout_run, train_model, remembered, *view]
    refresh_inputs = [session, visitor, remembered, skipped]
    refresh.click(on_refresh, inputs=refresh_inputs, outputs=refresh_outputs)

    def on_pick(name, who):
        return [train_choices(name), name, [], "", *safe_show(name, who)]

    session.input(on_pick, inputs=[session, visitor], outputs=[train_model, remembered, skipped, last, *view])
    timer.tick(lambda name, who, skip_ids, current: safe_show(name, who, skip_ids, current),
               inputs=[session, visitor, skipped, item_state], outputs=view, show_progress="hidden")

    # Making a queue --------------------------------------------------------------------------------------------

    def on_source(kind):
        return gr.update(visible=kind == "file"), gr.update(visible=kind == "holdout")

    prompts_from.change(on_source, inputs=prompts_from, outputs=[prompts_file, holdout_run])

    def on_pairing(kind):
        return (gr.update(visible=kind in ("base_vs_aligned", "two_runs"),
                          label="First run" if kind == "two_runs" else "Run"),
                gr.update(visible=kind == "two_runs"), gr.update(visible=kind in ("two_samples", "one_answer")))

    pairing.change(on_pairing, inputs=pairing, outputs=[run_a, run_b, model])

    def gather_prompts(kind, file, held_run, dataset, count) -> tuple[list, str]:
        policy = ctx.policy
        count = max(1, int(count or 1))
        if shared:
            count = min(count, ctx.limits.eval_rows)
        if kind == "file":
            if not file:
                raise ValueError("Upload a file of prompts first (or pick another source).")
            found = rounds.prompts_from_file(file, count, policy.max_upload_bytes, policy.max_rows)
            return found, f"the file {Path(str(file)).name}"
        if kind == "dataset":
            if not dataset or not dataset.get("path"):
                raise ValueError("Load a dataset on the Data tab first (or pick another source).")
            found = rounds.prompts_from_file(dataset["path"], count, policy.max_upload_bytes, policy.max_rows)
            return found, f"the dataset {Path(str(dataset['path'])).name}"
        if kind == "holdout":
            if not held_run:
                raise ValueError("Pick the run whose held-out rows to use.")
            folder = policy.check_run_dir(held_run)
            return rounds.prompts_from_holdout(folder, count), f"the held-out rows of run {folder.name}"
        raise ValueError("Pick where the prompts come from.")

    def check_model_choice(value) -> None:
        if shared and value and value != ctx.default_model and not str(value).startswith(rounds.RUN_PREFIX):
            raise ValueError(f"In shared mode the answers come from {ctx.default_model} or a run here.")

    def answerer():
        return rounds.default_answerer(ctx.runs_dir, ctx.compare)

    def on_generate(name_text, kind, file, held_run, count, how, first, second, model_value, tokens, temp, p,
                    seed_value, dataset, who, skip_ids, request: gr.Request = None):
        address = client_address(request)
        try:
            if not who:
                raise ValueError("The page is still loading; press the button again in a moment.")
            owner = ctx.owner(who)
            ctx.check_new_feedback_queue(who, address)
            check_model_choice(model_value)
            settings = _settings(tokens, temp, p, seed_value)
            sources = rounds.plan_sources(how, first, second, model_value, ctx.default_model,
                                          ctx.policy.check_run_dir)
            rounds.side_settings(sources, settings)
            found, where = gather_prompts(kind, file, held_run, dataset, count)
            queue = store.FeedbackSession.create(
                ctx.runs_dir, name_text or "", owner, found,
                {"pairing": how, "sources": [s.to_dict() for s in sources]}, vars(settings),
                f"{len(found)} prompts from {where}", address=address)
            try:
                rounds.start_round(queue, sources, settings, answerer(), ctx.runs_dir)
            except ValueError:  # another round is being generated: no empty queue is left behind
                shutil.rmtree(queue.path, ignore_errors=True)
                raise
        except ValueError as exc:
            warn(ctx, exc)
            return [gr.skip()] * (4 + len(view))
        info(ctx, f"Queue {queue.name} started: {len(found)} prompts are being answered.")
        return [gr.update(choices=queue_choices(), value=queue.name), gr.update(open=False), queue.name,
                train_choices(queue.name), *safe_show(queue.name, who, skip_ids)]

    generate.click(on_generate, inputs=[title, prompts_from, prompts_file, holdout_run, limit, pairing, run_a, run_b,
                                        model, max_new_tokens, temperature, top_p, seed, dataset_state, visitor,
                                        skipped],
                   outputs=[session, new_box, remembered, train_model, *view])

    # Judging ----------------------------------------------------------------------------------------------------

    def reveal(label) -> str:
        """After a choice, which model wrote which answer (hidden while judging, so it can't sway the choice)."""
        what = CHOICE_WORDS[label["choice"]]
        if label["choice"] in ("up", "down", "edit") and label.get("model_b") is not None:
            what += f" on {label['side'].upper()}"
        if label.get("model_b") is None:
            models = f"by {code(ctx.visible(label['model_a']), 80)}"
        elif label["model_b"] == label["model_a"]:  # two samples of one model: they differ by their seed
            seeds = [(label.get(f"decoding_{side}") or {}).get("seed", "?") for side in ("a", "b")]
            models = f"both by {code(ctx.visible(label['model_a']), 80)}; A with seed {seeds[0]}, B with {seeds[1]}"
        else:
            models = f"A was {code(ctx.visible(label['model_a']), 80)}, B was {code(ctx.visible(label['model_b']), 80)}"
        return f"Saved: {text(what)} ({models}). **U** takes it back."

    label_caps = ctx.label_caps

    def judge(choice: str, side: str | None = None, advances: bool = True):
        def handler(name, item, who, skip_ids):
            try:
                queue = open_queue(name)
                if not item:
                    raise ValueError("There is nothing to judge here right now.")
                label = queue.record(item, annotator_id(who), choice, side=side, **label_caps)
            except ValueError as exc:
                warn(ctx, exc)
                return [gr.skip(), *safe_show(name, who, skip_ids, item)]
            return [reveal(label), *safe_show(name, who, skip_ids, "" if advances else item)]
        return handler

    judge_inputs = [session, item_state, visitor, skipped]
    for button, choice, side, advances in ((a_better, "a", None, True), (b_better, "b", None, True),
                                           (tie, "tie", None, True), (both_bad, "both_bad", None, True),
                                           (up_a, "up", "a", False), (down_a, "down", "a", False),
                                           (up_b, "up", "b", False), (down_b, "down", "b", False)):
        button.click(judge(choice, side, advances), inputs=judge_inputs, outputs=[last, *view],
                     show_progress="hidden")

    def on_skip(name, item, who, skip_ids):
        skip_ids = [*(skip_ids or []), item] if item else list(skip_ids or [])
        return [skip_ids, "Skipped: it comes back after the others.", *safe_show(name, who, skip_ids)]

    skip.click(on_skip, inputs=judge_inputs, outputs=[skipped, last, *view], show_progress="hidden")

    def on_undo(name, item, who, skip_ids):
        try:
            queue = open_queue(name)
            undone = queue.undo(annotator_id(who))
        except ValueError as exc:
            warn(ctx, exc)
            return [gr.skip(), *safe_show(name, who, skip_ids, item)]
        if undone is None:
            return ["You have no choice here left to take back.", *safe_show(name, who, skip_ids, item)]
        what = CHOICE_WORDS[undone["choice"]]
        return [f"Took back your {text(what)} on “{text(prompt_display(undone['prompt']), 80)}”; judge it again.",
                *safe_show(name, who, skip_ids, undone["item"])]

    undo.click(on_undo, inputs=judge_inputs, outputs=[last, *view], show_progress="hidden")

    def start_from(side):
        def handler(name, item):
            try:
                current = open_queue(name).item(item) if item else None
            except ValueError:
                current = None
            if current is None or current.get(side) is None:
                return gr.skip(), gr.skip()
            return current[side]["text"], side
        return handler

    from_a.click(start_from("a"), inputs=[session, item_state], outputs=[edit_box, edit_side])
    from_b.click(start_from("b"), inputs=[session, item_state], outputs=[edit_box, edit_side])

    def on_save_edit(name, item, who, skip_ids, side, edited):
        try:
            queue = open_queue(name)
            if not item:
                raise ValueError("There is no answer on screen to edit.")
            label = queue.record(item, annotator_id(who), "edit", side=side or "a", edited=edited, **label_caps)
        except ValueError as exc:
            warn(ctx, exc)
            return [gr.skip(), gr.skip(), *safe_show(name, who, skip_ids, item)]
        return ["", reveal(label), *safe_show(name, who, skip_ids)]

    save_edit.click(on_save_edit, inputs=[*judge_inputs, edit_side, edit_box], outputs=[edit_box, last, *view],
                    show_progress="hidden")

    # Training and the next round ----------------------------------------------------------------------------------

    def check_owner(queue, who) -> None:
        if shared and (not who or queue.meta().get("owner") != ctx.owner(who)):
            raise ValueError("This queue was started by another visitor: you can label it; they train on it and "
                             "start its next round.")

    def on_train(method):
        def handler(name, chosen_model, step_count, who, skip_ids, request: gr.Request):
            try:
                queue = open_queue(name)
                check_owner(queue, who)
                if not chosen_model:
                    raise ValueError("Pick the model to train.")
                if step_count is not None and int(step_count) < 1:
                    raise ValueError("Steps must be 1 or more.")
                spec, exported = rounds.training_spec(queue, method, str(chosen_model),
                                                      int(step_count) if step_count else None,
                                                      keep_exports=ctx.limits.feedback_exports if shared else None)
            except ValueError as exc:
                warn(ctx, exc)
                return gr.skip(), *safe_show(name, who, skip_ids)
            shown_file = ctx.policy.shown_path(exported.path)
            outcome = ctx.start_run(spec, who, client_address(request),
                                    started=f"Run {{run}} started: {METHODS[method].name} on {len(exported.rows)} "
                                            "collected rows.",
                                    queued=f"{METHODS[method].name} on {len(exported.rows)} collected rows is queued: "
                                           "position {position}.")
            if not outcome.ok:
                exported.path.unlink(missing_ok=True)  # nothing trains on it
                warn(ctx, outcome.message)
                return gr.skip(), *safe_show(name, who, skip_ids)
            info(ctx, outcome.message)
            run = f"Run {code(outcome.live.run_id)}" if outcome.live is not None else \
                f"Queued (position {outcome.position})"
            note = (f"{run}: {METHODS[method].name} on {text(exported.note())} from "
                    f"{code(ctx.policy.shown_path(spec.model_name))}. Dataset: {code(shown_file)}. Follow it on the "
                    "Train tab; when it finishes, **Next round** asks its model.")
            return note, *safe_show(name, who, skip_ids)
        return handler

    train_inputs = [session, train_model, steps, visitor, skipped]
    train_dpo.click(on_train("dpo"), inputs=train_inputs, outputs=[train_status, *view])
    train_kto.click(on_train("kto"), inputs=train_inputs, outputs=[train_status, *view])

    def on_next_round(name, who, skip_ids):
        try:
            queue = open_queue(name)
            check_owner(queue, who)
            meta = queue.meta()
            if rounds.round_state(queue, meta) == "generating":
                raise ValueError("This queue's current round is still being answered.")
            if shared and len(meta.get("rounds", [])) >= SHARED_ROUNDS_PER_QUEUE:
                raise ValueError(f"A queue here holds at most {SHARED_ROUNDS_PER_QUEUE} rounds; start a new queue.")
            runs = rounds.session_runs(queue, ctx.runs_dir, ctx.runner.active_dirs())
            done = next((r for r in runs if r.get("state") == "finished" and Path(r["run_dir"], "adapter").is_dir()),
                        None)
            if done is None:
                busy = next((r for r in runs if r.get("state") in ("starting", "running")), None)
                raise ValueError(f"Run {busy['name']} is still training; the next round asks its model once it "
                                 "finishes." if busy else "Train on the labels first (DPO or KTO below); the next "
                                                          "round asks the model that training makes.")
            used = [r.get("from_run") for r in meta.get("rounds", [])]
            if done["name"] in used:
                raise ValueError(f"Round {used.index(done['name']) + 1} already asks run {done['name']}'s model; "
                                 "train again on the new labels first.")
            sources = rounds.next_round_sources(queue, done["name"])
            decoding = meta.get("decoding") or {}
            settings = DecodeSettings(**{k: decoding[k] for k in ("max_new_tokens", "temperature", "top_p", "seed")
                                         if k in decoding})
            rounds.start_round(queue, sources, settings, answerer(), ctx.runs_dir, from_run=done["name"])
        except (TypeError, ValueError) as exc:
            warn(ctx, exc)
            return gr.skip(), *safe_show(name, who, skip_ids)
        return (f"Round {len(meta.get('rounds', [])) + 1}: {code(done['name'])}'s model answers the queue's "
                f"{meta.get('prompts', '?')} prompts."), *safe_show(name, who, skip_ids)

    next_round.click(on_next_round, inputs=[session, visitor, skipped], outputs=[train_status, *view])

    downloads = Path(tempfile.gettempdir()) / "studio-feedback" / hashlib.sha256(
        str(Path(ctx.runs_dir).resolve()).encode()).hexdigest()[:12]

    def on_export(name):
        try:
            queue = open_queue(name)
            # One pair of download files per queue, rewritten on each click (never a new folder per click: in a
            # shared studio anyone may press this on any queue), in the temporary folder Gradio serves files from.
            paths = [str(p) for p in store.write_downloads(queue, downloads / queue.name)]
        except ValueError as exc:
            warn(ctx, exc)
            return gr.skip(), gr.skip()
        return gr.update(value=paths[0], visible=True), gr.update(value=paths[1], visible=True)

    export.click(on_export, inputs=session, outputs=[pairs_file, thumbs_file])

    def on_delete(name, confirmed, who, skip_ids):
        try:
            if not confirmed:
                raise ValueError("Tick “Yes, delete this queue and its labels” first.")
            if not who:
                raise ValueError("The page is still loading; press the button again in a moment.")
            waiting = [ticket.spec.dataset for _, ticket in ctx.runner.queued()]
            title = rounds.delete_queue(open_queue(name), ctx.runs_dir, *((ctx.owner(who), annotator_id(who))
                                                                          if shared else ()), waiting=waiting)
        except ValueError as exc:
            warn(ctx, exc)
            return [gr.skip()] * (len(refresh_outputs) + 2)
        info(ctx, f"Deleted the feedback queue “{ctx.visible(title)}”.")
        return [False, "", *on_refresh("", who, "", skip_ids)]  # the last choice's line goes too

    delete.click(on_delete, inputs=[session, sure, visitor, skipped], outputs=[sure, last, *refresh_outputs])

    return FeedbackTab(refresh=on_refresh, inputs=refresh_inputs, outputs=refresh_outputs)
