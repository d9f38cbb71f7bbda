"""Train tab: one run's settings, Start/Stop, and the live status and curves.

Each browser session has one draft config on the server (`Drafts`): the quick fields and the model, method
and preset pickers change it, typing in the full config (YAML, the same text as a preset and as the run's
config.yaml) replaces it, every change answers with the editor and all the fields as the draft now is, and
Start runs exactly the draft. What Start, Stop, Resume and the RLHF pipeline decide lives in services.py.
"""

from __future__ import annotations

import collections
import copy
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from .. import trackers
from ..methods import TRAINABLE, get_method
from ..methods.registry import METHODS
from ..methods.rewards import RULE_REWARDS
from ..models import describe_model, model_choices
from ..shared import keep_newest
from ..training.health import health_markdown
from ..training.launch import STRATEGIES, write_launch_files
from ..training.spec import PROJECT_ROOT, RunSpec, preset_path, spec_from_yaml
from ..training.spec import MAX_CONFIG_BYTES
from ..services import client_address
from .curves import figure
from .fit_panel import build_fit_panel
from .markup import code, text
from .notify import info, warn

PRESETS_DIR = PROJECT_ROOT / "presets"


def preset_choices() -> list[tuple[str, str]]:
    choices = []
    for method in TRAINABLE:
        for demo, label in ((True, "demo, bundled model, CPU-sized"), (False, "recipe, hub model, GPU")):
            path = preset_path(method, demo=demo)
            if path.is_file():
                choices.append((f"{METHODS[method].name} — {label}", str(path.relative_to(PROJECT_ROOT))))
    return choices


def demo_spec(method: str, dataset: str | None = None, model: str | None = None) -> RunSpec:
    spec = spec_from_yaml(preset_path(method).read_text(encoding="utf-8"), where=f"presets/demo/{method}.yaml")
    if dataset:
        spec.dataset = dataset
    if model:
        spec.model["model_name_or_path"] = model
    return spec


def fields_of(spec: RunSpec) -> list:
    """The quick fields' values, in QUICK_FIELDS order."""
    t = spec.training
    method = METHODS[spec.method]
    return [t.get("max_steps", -1), t.get("learning_rate", 5e-5), t.get("per_device_train_batch_size", 8),
            t.get("beta", method.beta_default if method.beta_default is not None else 0.1),
            bool(spec.model.get("use_peft", True)), bool(spec.model.get("load_in_4bit", False)),
            list(spec.extras.get("reward_funcs") or []),
            ", ".join(str(w) for w in (t.get("reward_weights") or [])),
            trackers.parse(t.get("report_to")), loss_of(spec)]


def loss_options(method: str) -> tuple:
    """The losses a method offers for `loss_type` (DPO's family, SimPO/CPO's), from its descriptor."""
    return METHODS[method].options.get("loss_type", ())


def loss_of(spec: RunSpec) -> str | None:
    """The loss picker's value: the config's loss_type (the first of a combination), else TRL's default."""
    options = loss_options(spec.method)
    if not options:
        return None
    value = spec.training.get("loss_type", options[0].value)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else options[0].value
    return value


def set_loss(spec: RunSpec, value) -> None:
    """The picked loss as loss_type: the loss already in place (or leading a combination) leaves the config as
    it is; another replaces it, drops loss_weights and writes the settings it can't run without."""
    method = METHODS[spec.method]
    if not loss_options(spec.method) or not value or value == loss_of(spec):
        return
    method.check_options({"loss_type": value})
    spec.training["loss_type"] = value
    spec.training.pop("loss_weights", None)
    for key, setting in method.option("loss_type", value).needs.items():
        if not spec.training.get(key):
            spec.training[key] = setting


def loss_update(spec: RunSpec, value):
    """The loss picker for this method: its losses, when the chosen one fits and its β guidance."""
    options = loss_options(spec.method)
    if not options:
        return gr.update(value=None, choices=[], visible=False)
    chosen = METHODS[spec.method].option("loss_type", value) or options[0]
    combined = spec.training.get("loss_type")
    note = (f"The config combines {' + '.join(combined)}; picking one here replaces the combination. "
            if isinstance(combined, (list, tuple)) and len(combined) > 1 else "")
    return gr.update(value=value, choices=[(o.label, o.value) for o in options], visible=True,
                     info=f"{note}{chosen.fits} β: {chosen.beta}")


def uses_rule_rewards(method: str) -> bool:
    """GRPO and PPO take rule rewards by name (the quick fields show the reward picker for them)."""
    return get_method(method).takes_rewards


QUICK_FIELDS = ("steps", "lr", "batch", "beta", "lora", "four_bit", "rewards", "weights", "trackers", "loss")


def apply_field(spec: RunSpec, name: str, value) -> RunSpec:
    """One quick field's value written into the spec (ValueError/TypeError for a value that isn't one)."""
    t = spec.training
    if name == "steps":
        t["max_steps"] = int(value)
    elif name == "lr":
        t["learning_rate"] = float(value)
    elif name == "batch":
        t["per_device_train_batch_size"] = int(value)
    elif name == "beta":
        if METHODS[spec.method].beta_name and value is not None:
            t["beta"] = float(value)
    elif name == "lora":
        spec.model["use_peft"] = bool(value) or bool(spec.model.get("load_in_4bit"))  # 4-bit trains through LoRA
    elif name == "four_bit":
        if value:
            spec.model["load_in_4bit"] = True
            spec.model["use_peft"] = True
        else:
            spec.model.pop("load_in_4bit", None)
    elif name == "rewards":
        if uses_rule_rewards(spec.method):
            spec.extras["reward_funcs"] = list(value or [])
    elif name == "weights":
        if uses_rule_rewards(spec.method):
            parsed = [float(w) for w in str(value or "").replace(";", ",").split(",") if w.strip()]
            if parsed:
                t["reward_weights"] = parsed
            else:
                t.pop("reward_weights", None)
    elif name == "loss":
        set_loss(spec, value)
    elif name == "trackers":
        names = trackers.parse(list(value or []))
        if names:
            t["report_to"] = names[0] if len(names) == 1 else names
        else:
            t.pop("report_to", None)
    else:
        raise ValueError(f"no quick field named {name}")
    return spec


def apply_fields(spec: RunSpec, steps, lr, batch, beta, lora, four_bit, rewards, weights,
                 tracker_names=None, loss_type=None) -> RunSpec:
    """Every quick field at once (4-bit before LoRA: 4-bit weights can only be trained through LoRA);
    `tracker_names` None leaves the trackers as they are, `loss_type` None the loss."""
    values = {"steps": steps, "lr": lr, "batch": batch, "beta": beta, "four_bit": four_bit, "lora": lora or four_bit,
              "rewards": rewards, "weights": weights}
    if tracker_names is not None:
        values["trackers"] = tracker_names
    if loss_type is not None:
        values["loss"] = loss_type
    for name, value in values.items():
        apply_field(spec, name, value)
    return spec


def field_updates(spec: RunSpec) -> list:
    method = METHODS[spec.method]
    steps, lr, batch, beta, lora, four_bit, rewards, weights, names, loss = fields_of(spec)
    grpo = uses_rule_rewards(spec.method)
    return [steps, lr, batch,
            gr.update(value=beta, visible=bool(method.beta_name), label=f"{method.beta_name} ({method.beta_range})"),
            lora, four_bit, gr.update(value=rewards, visible=grpo), gr.update(value=weights, visible=grpo), names,
            loss_update(spec, loss)]


def tokens_per_second(metrics: list[dict]) -> float | None:
    """Throughput from TRL's cumulative num_tokens over the logged time."""
    points = [m for m in metrics if isinstance(m.get("num_tokens"), (int, float)) and m.get("time")]
    if len(points) < 2 or points[-1]["time"] <= points[0]["time"]:
        return None
    return (points[-1]["num_tokens"] - points[0]["num_tokens"]) / (points[-1]["time"] - points[0]["time"])


def status_markdown(snapshot: dict | None, metrics: list[dict] | None = None) -> str:
    if not snapshot:
        return "No run yet. Check the settings and press **Start training**."
    step, total = snapshot["step"], snapshot["max_steps"]
    elapsed = snapshot["elapsed"]
    eta = ""
    if snapshot["state"] == "running" and step and total and total > step:
        eta = f" · about {elapsed / step * (total - step):.0f} s left"
    pct = f" ({100 * step / total:.0f}%)" if total and total > 0 else ""
    speed = tokens_per_second(metrics or [])
    method = METHODS[snapshot["method"]].name if snapshot["method"] in METHODS else snapshot["method"]
    line = (f"**{text(snapshot['state'])}** · run {code(snapshot['run_id'])} · {text(method)} · "
            f"step {step}/{total or '?'}{pct} · {elapsed:.0f} s elapsed{eta}"
            + (f" · {speed:,.0f} tokens/s" if speed else ""))
    # The message may echo what a visitor typed (a model name, say): it is shown as text to everyone.
    return line + "".join(f"\n\n{text(part)}" for part in str(snapshot.get("message") or "").split("\n\n")
                          if part.strip())


REDRAW_SECONDS = 1.0  # the curves redraw at most this often while a run trains (a new metric shows within ~2 s)
REDRAWS_PER_SECOND = 1.0  # …and all open tabs together redraw at most this often: 20 tabs → every 20 s
TABS_PER_TICK_SECOND = 10  # beyond this many watching tabs, each asks every 2 s (20 tabs), 3 s (30 tabs), …


VIEWER_SECONDS = 6.0  # a tab that hasn't asked for this long no longer counts as watching
MAX_VIEWERS = 500  # watching tabs counted at most (the count only ever slows ticks and redraws down)
MAX_VIEWERS_PER_ADDRESS = 8  # …and at most this many from one network address, whatever ids it sends


class CurveCache:
    """The live curves, built once per new metric line and shared by every open tab.

    Each tick sends only text and a small key; a tab's plot redraws (a separate event) only when the key
    changes, which is at most every REDRAW_SECONDS while a run trains. With many tabs polling, neither the
    figure nor Gradio's per-output bookkeeping for a plot is paid on every tick. The count of watching tabs
    (which slows everyone's ticks for a crowd) expires and is bounded, so made-up visitor ids can't inflate it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key, self._value = None, None
        self._published = ("", -1, 0.0)  # run id, metric lines, when
        self._viewers: dict[tuple[str, str], float] = {}  # (address, visitor) → when it last ticked

    def _seen(self, who: str, address: str, now: float) -> None:
        self._viewers = {k: at for k, at in self._viewers.items() if now - at < VIEWER_SECONDS}
        key = (address, who)
        if key not in self._viewers:
            if len(self._viewers) >= MAX_VIEWERS:
                return
            if address and sum(a == address for a, _ in self._viewers) >= MAX_VIEWERS_PER_ADDRESS:
                return
        self._viewers[key] = now

    def viewers(self) -> int:
        return len(self._viewers)

    def interval(self, now: float) -> float:
        """Seconds between redraws: REDRAW_SECONDS, longer when many tabs watch (each redraw is a Gradio
        event per tab; the status text, which is cheap, updates every tick)."""
        return max(REDRAW_SECONDS, len(self._viewers) / REDRAWS_PER_SECOND)

    def every(self) -> int:
        """Ticks per fetch the page should use: 1 while few tabs watch, more for a crowd, so a Space full
        of visitors costs the trainer a bounded number of requests a second."""
        with self._lock:
            return min(5, 1 + len(self._viewers) // (TABS_PER_TICK_SECOND + 1))

    def key(self, live, who: str | None = None, address: str = "") -> str:
        lines, now = len(live.metrics), time.time()
        with self._lock:
            self._seen(who or "", address, now)
            run_id, shown, at = self._published
            if run_id != live.run_id or (lines != shown and (now - at >= self.interval(now) or not live.active)):
                self._published = (live.run_id, lines, now)
            return f"{self._published[0]}:{self._published[1]}"

    def get(self, live, metrics: list[dict], smooth: float):
        key = (live.run_id, len(metrics), smooth)
        with self._lock:
            if key != self._key:
                self._key, self._value = key, (figure(metrics, live.method, smooth), health_markdown(metrics))
            return self._value


LIVE_PATH = "/studio/live"
TICK_SECONDS = 1.0  # how often an open Train tab asks for the live state
TICK_JS = """async (who, status, progress, key) => {
  // A background tab doesn't ask; with many tabs open the server asks each to ask less often (every).
  const tick = window.__studioTick = window.__studioTick || {n: 0, every: 1};
  tick.n += 1;
  if (document.hidden || tick.n % tick.every !== 0) return [status, progress, key];
  const root = (window.gradio_config && window.gradio_config.root) || window.location.origin;
  try {
    const answer = await fetch(root.replace(/\\/$/, "") + "LIVE_PATH", {headers: {"X-Studio-Visitor": who || ""}});
    if (!answer.ok) return [status, progress, key];
    const live = await answer.json();
    tick.every = live.every || 1;
    return [live.status, live.progress, live.key];
  } catch (error) {
    return [status, progress, key];
  }
}""".replace("LIVE_PATH", LIVE_PATH)


def progress_bar(percent: float) -> str:
    """A read-only bar (a slider would look like something to drag)."""
    percent = max(0.0, min(100.0, float(percent)))
    return (f'<div class="studio-progress" role="progressbar" aria-valuenow="{percent:.0f}" aria-valuemin="0" '
            f'aria-valuemax="100"><div style="width:{percent:.1f}%"></div></div>')


def queue_markdown(queued: list, owner: str, everyone: bool = False) -> str:
    """The waiting line as a visitor sees it: how many wait, and where theirs stand (others stay anonymous).
    `everyone`: on your own machine every waiting run is yours (e.g. the RLHF pipeline's PPO stage)."""
    if not queued:
        return ""
    mine = [f"position {position} ({text(ticket.label, 120)})" for position, ticket in queued
            if everyone or (owner and ticket.owner == owner)]
    return (f"\n\n**Queue:** {len(queued)} run(s) waiting"
            + (f" · {'next' if everyone else 'yours'}: {', '.join(mine)}" if mine else "") + ".")


class Draft:
    """One browser session's Train-tab config: what the quick fields, the editor and Start all read."""

    def __init__(self, spec: RunSpec):
        self.spec = spec
        self.lock = threading.Lock()
        self.sent: collections.deque[str] = collections.deque(maxlen=32)  # configs the page was sent


def plain_field(value):
    """A quick field's value as the page and the server both see it (4 and 4.0 alike, lists as tuples)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(plain_field(v) for v in value)
    return value


# The quick fields Start also reads from the page: the typed ones and the single boxes (a script calling the API
# may leave them out: None). The pickers with several choices (rewards, trackers) change on a click, and Gradio
# can't take None for them.
START_FIELDS = ("steps", "lr", "batch", "beta", "lora", "four_bit", "weights", "loss")


def unseen_field_edits(spec: RunSpec, page: tuple, sent) -> RunSpec:
    """`spec` with every quick field (START_FIELDS, in order) whose value on the page is none the server sent it:
    a field typed into whose event is still on the way when Start arrives (events run side by side). A field
    still showing what an earlier answer set (an answer to a method change on its way back) is left, since the
    draft is newer."""
    for name, value in zip(START_FIELDS, page):
        index = QUICK_FIELDS.index(name)
        if value is None or any(index < len(seen) and plain_field(value) == seen[index] for seen in sent):
            continue
        try:
            apply_field(spec, name, value)
        except (TypeError, ValueError):  # its own event will say what is wrong with it
            continue
    return spec


class Drafts:
    """The Train tab's config per browser session, changed under that session's lock: an event that arrives
    while another is in flight applies after it, and every event answers with the config and all the fields
    as they now are, so the page shows what Start runs. (A gr.State would hand each event the value from
    when it was sent, so two events in flight would overwrite each other.)"""

    def __init__(self, first, size: int = 2000):
        self.first, self.size = first, size
        self._lock = threading.Lock()
        self._items: collections.OrderedDict[str, Draft] = collections.OrderedDict()

    def get(self, session: str | None) -> Draft:
        key = session or ""
        with self._lock:
            draft = self._items.get(key)
            if draft is None:
                draft = self._items[key] = Draft(self.first())
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            self._items.move_to_end(key)
            return draft


def session_of(request) -> str:
    return getattr(request, "session_hash", None) or ""


@dataclass
class TrainTab:
    """What create_app wires across tabs: the components every config change answers, and the hand-over from
    the Method tab ("Train with this method") as one event, so the Train tab never shows one method while
    holding another."""

    shown: list
    use_recommendation: object


def build_train_tab(ctx, dataset_state: gr.State, method_state: gr.State, visitor: gr.BrowserState) -> TrainTab:
    first = demo_spec("sft", model=ctx.default_model)
    drafts = Drafts(lambda: demo_spec("sft", model=ctx.default_model))
    with gr.Row():
        model = gr.Dropdown(model_choices(), value=ctx.default_model, allow_custom_value=True, label="Model",
                            info="bundled, a hub id, a local checkpoint folder, or an earlier run's folder",
                            scale=3)
        method = gr.Dropdown([(METHODS[m].name, m) for m in TRAINABLE], value="sft", label="Method", scale=1,
                             elem_id="train-method")
        preset = gr.Dropdown(preset_choices(), value=None, label="Load a preset", scale=2)
    model_note = gr.Markdown(text(describe_model(ctx.default_model)))
    dataset_note = gr.Markdown(f"Dataset: {code(ctx.policy.shown_path(first.dataset))} (the demo preset's; load "
                               "yours on the Data tab).", elem_id="train-dataset")
    values = fields_of(first)
    with gr.Row():
        steps = gr.Number(values[0], label="Steps (-1 = by epochs)", precision=0, minimum=-1)
        lr = gr.Number(values[1], label="Learning rate", minimum=0)
        batch = gr.Number(values[2], label="Batch size", precision=0, minimum=1)
        beta = gr.Number(values[3], label="β", visible=False)
        loss_box = gr.Dropdown([], value=values[9], label="Loss (loss_type)", visible=False, scale=2,
                               elem_id="train-loss")
        with gr.Column(min_width=200):
            lora = gr.Checkbox(values[4], label="LoRA (r 16, α 32, attention projections)")
            four_bit = gr.Checkbox(values[5], label="4-bit base weights (QLoRA, bitsandbytes)")
    with gr.Row():
        rewards = gr.CheckboxGroup(list(RULE_REWARDS), value=values[6], label="Rule rewards (GRPO, PPO)",
                                   visible=False, scale=3)
        weights = gr.Textbox(values[7], label="Reward weights (one per reward, e.g. 1.0, 0.2)", visible=False,
                             scale=1)
    # Trackers log with the operator's keys, so a shared studio offers none (studio/trackers.py).
    tracker_box = gr.CheckboxGroup([(t.label, t.name) for t in trackers.TRACKERS.values()], value=values[8],
                                   label="Also log to (report_to; metrics.jsonl and the curves here always)",
                                   visible=not ctx.shared, elem_id="train-trackers")
    quick = [steps, lr, batch, beta, lora, four_bit, rewards, weights, tracker_box, loss_box]
    with gr.Accordion("Full config (YAML) — exactly what Start runs", open=False):
        config = gr.Code(first.to_yaml(), language="yaml", label="config.yaml", elem_id="train-config")
        with gr.Row():
            save = gr.DownloadButton("Save config as YAML")
            upload = gr.UploadButton("Load a config YAML", file_types=[".yaml", ".yml"])
    build_fit_panel(ctx, drafts, session_of, visitor)  # "Will it fit?": estimate and probe the draft (fit_panel.py)
    with gr.Accordion("Run it on a bigger machine (accelerate, DeepSpeed, FSDP)", open=False):
        with gr.Row():
            strategy = gr.Dropdown([(f"{k} — {v[1]}", k) for k, v in STRATEGIES.items()], value="ddp",
                                   label="Strategy", scale=3)
            processes = gr.Number(8, label="GPUs per machine", precision=0, minimum=1, scale=1)
            export = gr.Button("Write launch files", scale=1)
        launch_note = gr.Markdown()
        launch_files = gr.File(label="Launch files", file_count="multiple", interactive=False)
    with gr.Accordion("RLHF in one click: a reward model, then PPO against it", open=False):
        gr.Markdown("The classic two-stage pipeline. Stage 1 trains a reward model on preference pairs (the Data "
                    "tab's, when they are pairs; else the demo's pairs, where a plain answer beats a padded, rambling "
                    "one); stage 2 runs PPO on the same prompts with that reward model as the judge. Settings come "
                    "from `presets/demo/reward.yaml` and `presets/demo/rlhf_ppo.yaml` with the model above; each "
                    "stage is a run of its own, and PPO starts only if the reward model finished.")
        with gr.Row():
            reward_steps = gr.Number(40, label="Reward-model steps", precision=0, minimum=1)
            ppo_steps = gr.Number(20, label="PPO steps", precision=0, minimum=1)
            rlhf = gr.Button("Run the RLHF pipeline", elem_id="train-rlhf")
    with gr.Row():
        start = gr.Button("Start training", variant="primary", elem_id="train-start")
        stop = gr.Button("Stop", variant="stop", elem_id="train-stop")
        resume = gr.Button("Resume", elem_id="train-resume")
    status = gr.Markdown(status_markdown(None), elem_id="train-status")
    progress = gr.HTML(progress_bar(0), elem_id="train-progress")
    health = gr.Markdown(elem_id="train-health")
    plot = gr.Plot(label="Live curves", elem_id="train-plot")
    smoothing = gr.Slider(0, 0.95, value=0, step=0.05, label="Curve smoothing")
    timer = gr.Timer(TICK_SECONDS)
    curve_key = gr.Textbox("", visible=False, elem_id="train-curve-key")  # changes → the plot redraws
    curves = CurveCache()

    def yaml_of(spec: RunSpec) -> str:
        return spec.to_yaml(secrets=not ctx.shared)  # on your own machine your editor keeps what you typed

    def show(draft: Draft) -> list:
        """The editor and every field as the draft now is (the editor's text is remembered as sent)."""
        text_ = yaml_of(draft.spec)
        draft.sent.append(text_)
        return [text_, draft.spec.model_name, draft.spec.method, *field_updates(draft.spec)]

    shown = [config, model, method, *quick]

    def replace(request, make) -> list:
        """Set the session's draft to make(current spec) and answer with everything; a refusal leaves it."""
        draft = drafts.get(session_of(request))
        with draft.lock:
            try:
                draft.spec = make(copy.deepcopy(draft.spec))
            except (TypeError, ValueError) as exc:
                warn(ctx, exc)
            return show(draft)

    def quick_handler(name):
        def on_quick(value, request: gr.Request):
            return replace(request, lambda spec: apply_field(spec, name, value))
        return on_quick

    for name, field in zip(QUICK_FIELDS, quick):
        field.input(quick_handler(name), inputs=field, outputs=shown)

    def on_typed(text_, request: gr.Request):
        draft = drafts.get(session_of(request))
        with draft.lock:
            try:
                draft.spec = spec_from_yaml(text_)
            except ValueError:
                return [gr.skip()] * (len(shown) - 1)  # half-typed: keep the fields until it parses
            return show(draft)[1:]  # the editor keeps what is being typed

    config.input(on_typed, inputs=config, outputs=shown[1:])

    def for_method(name: str, dataset: dict | None):
        def make(spec: RunSpec) -> RunSpec:
            return demo_spec(name, dataset=(dataset or {}).get("path") or None, model=spec.model_name)
        return make

    def on_method(name, dataset, request: gr.Request):
        return replace(request, for_method(name, dataset))

    method.input(on_method, inputs=[method, dataset_state], outputs=shown)

    def on_recommendation(name, dataset, request: gr.Request):
        if name not in TRAINABLE:
            return [gr.skip()] * len(shown)
        return on_method(name, dataset, request)

    method_state.change(on_recommendation, inputs=[method_state, dataset_state], outputs=shown)

    def use_recommendation(name, dataset, request: gr.Request):
        """"Train with this method → Train": the recommended method on the Data tab's dataset, in one event."""
        return [gr.Tabs(selected="train"), *on_recommendation(name, dataset, request)]

    def on_model(name, request: gr.Request):
        def make(spec: RunSpec) -> RunSpec:
            spec.model["model_name_or_path"] = (name or "").strip() or ctx.default_model
            return spec
        return [*replace(request, make), text(describe_model(name or ""))]

    model.input(on_model, inputs=model, outputs=[*shown, model_note])

    def on_dataset(state, request: gr.Request):
        if not state:
            return [gr.skip()] * (len(shown) + 1)

        def make(spec: RunSpec) -> RunSpec:
            spec.dataset = state["path"]
            # The Data tab's choices travel with the data: block on any bad row or not, drop near-ties.
            spec.skip_bad_rows = bool(state.get("skip_bad_rows", True))
            spec.min_score_gap = float(state.get("min_score_gap") or 0.0)
            return spec
        note = (f"Dataset: {code(ctx.policy.shown_path(state['path']))} "
                f"({state['report']['rows']} rows, from the Data tab)")
        return [*replace(request, make), note]

    dataset_state.change(on_dataset, inputs=dataset_state, outputs=[*shown, dataset_note])

    def on_preset(path, request: gr.Request):
        if not path or path not in [value for _, value in preset_choices()]:
            return [gr.skip()] * len(shown)
        return replace(request, lambda spec: spec_from_yaml((PROJECT_ROOT / path).read_text(encoding="utf-8"),
                                                            where=path))

    preset.input(on_preset, inputs=preset, outputs=shown)

    def on_upload(file, request: gr.Request):
        def make(spec: RunSpec) -> RunSpec:
            with open(file, "rb") as handle:  # a config is small: never read more than the cap allows
                raw = handle.read(MAX_CONFIG_BYTES + 1)
            try:
                return spec_from_yaml(raw.decode("utf-8"), where=ctx.policy.safe_upload_name(Path(file).name))
            except UnicodeDecodeError as exc:
                raise ValueError(f"{ctx.policy.safe_upload_name(Path(file).name)} is not UTF-8 text.") from exc
        return replace(request, make)

    upload.upload(on_upload, inputs=upload, outputs=shown)

    def current(request) -> RunSpec:
        draft = drafts.get(session_of(request))
        with draft.lock:
            return copy.deepcopy(draft.spec)

    def on_save(request: gr.Request):
        spec = current(request)
        path = Path(tempfile.mkdtemp(prefix="studio-config-")) / f"{spec.method}.yaml"
        path.write_text(yaml_of(spec), encoding="utf-8")
        return str(path)

    save.click(on_save, outputs=save)

    def on_export(strategy_name, count, request: gr.Request):
        spec = current(request)
        out = ctx.runs_dir / "launch" / f"{time.strftime('%Y%m%d-%H%M%S')}-{spec.method}"
        try:
            ctx.policy.check_spec(spec)
            if ctx.shared:  # a few KB each, but a visitor could press the button forever: keep the newest
                keep_newest(ctx.runs_dir / "launch", 20)
            written = write_launch_files(spec, out, strategy_name, max(1, min(int(count or 1), 1024)))
        except (TypeError, ValueError) as exc:
            warn(ctx, exc)
            return gr.skip(), gr.skip()
        commands = "\n".join(written["commands"])
        note = (f"Written to {code(ctx.policy.shown_path(out))}. Copy the folder to the GPU machine and run "
                f"`bash launch.sh`; it runs:\n```bash\n{ctx.visible(commands).replace('```', '')}\n```")
        return note, written["files"]

    export.click(on_export, inputs=[strategy, processes], outputs=[launch_note, launch_files])

    def say(outcome) -> None:
        (info if outcome.ok else warn)(ctx, outcome.message)

    def on_start(config_text, who, request: gr.Request, *page):
        """Start runs the session's draft; the editor's text wins only when it holds an edit the server hasn't
        seen yet (typed, with its event still on the way), and so does a quick field typed into whose event is
        still on the way (`page`: the fields' values, in START_FIELDS order)."""
        draft = drafts.get(session_of(request))
        with draft.lock:
            if config_text and config_text not in draft.sent and config_text != yaml_of(draft.spec):
                try:
                    draft.spec = spec_from_yaml(config_text)
                except ValueError as exc:
                    warn(ctx, exc)
                    return gr.skip()
            elif page:  # the fields' values the page was sent, read back from the configs it was sent
                sent = [tuple(plain_field(v) for v in fields_of(spec_from_yaml(text_))) for text_ in draft.sent]
                draft.spec = unseen_field_edits(draft.spec, page, sent)
            spec = copy.deepcopy(draft.spec)
        outcome = ctx.start_run(spec, who, client_address(request))
        say(outcome)
        return status_markdown(outcome.live.snapshot()) if outcome.live is not None else gr.skip()

    start.click(on_start, inputs=[config, visitor, *(quick[QUICK_FIELDS.index(name)] for name in START_FIELDS)],
                outputs=status)

    def on_rlhf(model_name, state, r_steps, p_steps, who, request: gr.Request):
        outcome = ctx.start_rlhf(model_name, state, r_steps, p_steps, who, client_address(request))
        say(outcome)
        return status_markdown(outcome.live.snapshot()) if outcome.live is not None else gr.skip()

    rlhf.click(on_rlhf, inputs=[model, dataset_state, reward_steps, ppo_steps, visitor], outputs=status)

    def on_stop(who):
        say(ctx.stop_for(who))

    stop.click(on_stop, inputs=visitor)

    def on_resume(who, request: gr.Request):
        outcome = ctx.resume_latest(who, client_address(request))
        say(outcome)
        return status_markdown(outcome.live.snapshot()) if outcome.live is not None else gr.skip()

    resume.click(on_resume, inputs=visitor, outputs=status)

    def on_tick(who, address: str = ""):
        """The Train tab's live state for one visitor: (status text, progress bar, curve key, ticks per fetch)."""
        live = ctx.runner.current
        queue = queue_markdown(ctx.runner.queued(), ctx.owner(who), everyone=not ctx.shared)
        if live is None:
            return status_markdown(None) + queue, progress_bar(0), "", 1
        metrics, snapshot = list(live.metrics), live.snapshot()
        snapshot["message"] = ctx.visible(snapshot["message"])
        if ctx.shared and snapshot["state"] in ("starting", "running"):
            owner = ctx.owner(who)
            snapshot["message"] = (snapshot["message"] + "\n\n" if snapshot["message"] else "") + (
                "This is your run." if owner and live.owner == owner else
                "Another visitor's run: you can watch it; Start queues yours behind it.")
        done = 100 * snapshot["step"] / snapshot["max_steps"] if snapshot["max_steps"] > 0 else 0
        key = curves.key(live, who, address)
        return status_markdown(snapshot, metrics) + queue, progress_bar(done), key, curves.every()

    # Every open tab ticks once a second. The tick is a browser-side fetch of LIVE_PATH (a plain route that
    # reads memory), not a Gradio event: with many tabs open, Gradio's per-event machinery would cost the
    # trainer CPU. Only when the curve key changes does the page ask Gradio to redraw the plot.
    ctx.live = on_tick
    timer.tick(None, inputs=[visitor, status, progress, curve_key], outputs=[status, progress, curve_key],
               js=TICK_JS)

    def on_curves(key, smooth):
        live = ctx.runner.current
        if live is None or not key:
            return gr.skip(), gr.skip()
        return curves.get(live, list(live.metrics), smooth)

    # Not queued: a redraw is one plain POST answered at once, as the browser's client does for such events; a
    # queued event costs the server about 11 ms of CPU each (the queue's bookkeeping and an SSE stream), which a
    # crowd of tabs redrawing takes from the training process.
    curve_key.change(on_curves, inputs=[curve_key, smoothing], outputs=[plot, health], queue=False,
                     show_progress="hidden")
    smoothing.release(on_curves, inputs=[curve_key, smoothing], outputs=[plot, health], show_progress="hidden")
    return TrainTab(shown=shown, use_recommendation=use_recommendation)
