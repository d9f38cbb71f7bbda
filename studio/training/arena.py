"""The method arena: every method the decision tree allows for the user's data, trained on the same rows with
one budget, judged on the same held-out rows by the same judge, in one table.

An arena is a folder, runs/arenas/<id>/: arena.json (the plan and each method's run), holdout.jsonl (the rows
kept out of every method's training), the training files each method reads (the pairs as they are, their
chosen answers for SFT, split into thumbs up/down for KTO), report.md and chart.svg. Its runs are ordinary
runs under runs/, named <arena id>-<method>, each with its own curves, health and verdict; they go through the
runner's queue one after another, so a restart or a reload finds the arena where it was, Stop stops the
current one and cancels the rest, and Resume continues what didn't finish.

For preference pairs the first stage trains the arena's judge: a reward model on the training pairs (never
the held-out ones); every method's verdict is that judge's preference between its answers and the base's on
the held-out prompts (the base's answers are generated once for the whole arena). RLHF is a reward model of
its own (another seed) and PPO against it: its reward model and the judge learnt from the same pairs, so its
win is flagged as likely optimistic.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..methods import METHODS
from .pipeline import PPO_PRESET
from .runs import RunFolder, read_jsonl, write_json_atomic, write_jsonl
from .spec import RunSpec, load_spec, preset_path, resolve_path

ARENA_FILE = "arena.json"
# What the tree allows per data shape (the seed's decision tree, each leaf that fits), in the table's order.
ARENA_METHODS = {
    "preference": ["sft", "dpo", "kto", "orpo", "cpo", "ppo", "rloo"],
    "unpaired_preference": ["sft", "kto"],
    "prompt_only": ["grpo", "ppo", "rloo"],
    "prompt_completion": ["sft", "grpo", "ppo", "rloo"],
    "language_modeling": ["sft"],
}
DEFAULT_BUDGET = 160  # training examples each method sees (40 steps of 4 with the demo presets)
HOLDOUT = 30
MIN_HOLDOUT = 4  # below this a win rate's 95% interval spans almost everything
# On pairs the only reward is one learnt from them: these train against the arena's own RLHF reward model (on
# prompt data they take the preset's rule rewards, as GRPO does).
LEARNT_REWARD = ("ppo", "rloo")
OPTIMISTIC = LEARNT_REWARD  # trained against a reward model learnt from the judge's own data


@dataclass
class Entry:
    method: str
    run: str  # the run folder's name under runs/
    stage: str = ""  # "judge", or "reward" (PPO's own reward model); "" for a method's run
    label: str = ""
    ticket: str = ""


@dataclass
class Arena:
    id: str
    data: str
    model: str
    shape: str
    methods: list[str]
    budget: int
    judge: str
    seed: int = 42
    holdout: int = 0  # rows every method is judged on, as held out (0: an arena saved before this was recorded)
    created_at: float = field(default_factory=time.time)
    entries: list[Entry] = field(default_factory=list)
    stopped: bool = False

    # Files
    def folder(self, runs_dir: Path) -> Path:
        return Path(runs_dir) / "arenas" / self.id

    def save(self, runs_dir: Path) -> None:
        folder = self.folder(runs_dir)
        folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic(folder / ARENA_FILE, asdict(self))

    @classmethod
    def load(cls, folder: Path) -> Arena:
        try:
            data = json.loads((Path(folder) / ARENA_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError) as exc:
            raise ValueError(f"{Path(folder).name} is not an arena (no readable {ARENA_FILE}).") from exc
        data["entries"] = [Entry(**e) for e in data.get("entries", [])]
        return cls(**data)

    def run_folder(self, runs_dir: Path, entry: Entry) -> RunFolder:
        return RunFolder(Path(runs_dir) / entry.run)


def list_arenas(runs_dir: Path) -> list[Arena]:
    root = Path(runs_dir) / "arenas"
    arenas = []
    for folder in sorted(root.iterdir(), reverse=True) if root.is_dir() else []:
        try:
            arenas.append(Arena.load(folder))
        except ValueError:
            continue
    return arenas


def methods_for(shape: str) -> list[str]:
    return list(ARENA_METHODS.get(shape, []))


# Planning ---------------------------------------------------------------------------------------------------

def _steps(spec: RunSpec, budget: int) -> int:
    """Steps that show the method `budget` training examples (a PPO step samples a rollout batch of prompts)."""
    t = spec.training
    per_step = int(t.get("per_device_train_batch_size", 8)) * int(t.get("gradient_accumulation_steps", 1))
    if spec.method == "ppo":
        per_step *= int(t.get("num_mini_batches", 1))
    return max(1, math.ceil(budget / max(1, per_step)))


def plan_arena(data: str, runs_dir: Path, model: str | None = None, methods: list[str] | None = None,
               budget: int = DEFAULT_BUDGET, judge: str = "auto", holdout: int = HOLDOUT, seed: int = 42,
               overrides: dict | None = None) -> tuple[Arena, dict[str, RunSpec]]:
    """The arena's folder with its held-out rows and training files, and one spec per run (the judge first)."""
    from ..data import inspect_dataset
    from ..methods.common import split_holdout

    path = resolve_path(data)
    report, rows = inspect_dataset(path)
    if not report.usable:
        raise ValueError(f"{report.source}: {report.errors[0].describe()}")
    allowed = methods_for(report.shape)
    if not allowed:
        raise ValueError(f"{report.source} is {report.shape} data; the arena compares methods on preference pairs, "
                         "thumbs up/down feedback, prompts with answers or instructions.")
    methods = [m for m in (methods or allowed)]
    unknown = [m for m in methods if m not in allowed]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} can't train on {report.shape} data; this data allows "
                         f"{', '.join(allowed)}.")
    if budget < 1:
        raise ValueError("the budget is the number of training examples each method sees: at least 1.")
    if holdout < MIN_HOLDOUT:
        raise ValueError(f"the arena judges every method on the same held-out rows: at least {MIN_HOLDOUT} "
                         f"(default {HOLDOUT}; more give a narrower interval).")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    arena = Arena(id=f"{stamp}-arena", data=str(data), model=model or "", shape=report.shape, methods=methods,
                  budget=int(budget), judge=judge, seed=seed)
    train, held = split_holdout(rows, holdout, seed)
    if len(held) < MIN_HOLDOUT:
        raise ValueError(f"{report.source} has {len(rows)} usable rows; the arena holds out at most a tenth of them "
                         f"for judging ({len(held)}), fewer than the {MIN_HOLDOUT} it needs: bring at least "
                         f"{MIN_HOLDOUT * 10} rows.")
    arena.holdout = len(held)
    folder = arena.folder(runs_dir)
    folder.mkdir(parents=True, exist_ok=False)
    write_jsonl(folder / "holdout.jsonl", held)
    files = _training_files(folder, report.shape, train)
    specs: dict[str, RunSpec] = {}
    judged = judge
    if judge == "auto" and report.shape != "preference" and rows and "answer" in rows[0]:
        judged = "answers"  # checkable answers: the same rule for every method, not each run's own rewards
    if report.shape == "preference" and judge == "auto":
        judge_spec = _spec("reward", files["pairs"], model, None, overrides, seed)
        specs["judge"] = judge_spec
        arena.entries.append(Entry("reward", f"{arena.id}-judge", stage="judge", label="arena judge (reward model)"))
        judged = f"reward-model:{Path(runs_dir) / arena.entries[-1].run}"
    rlhf = report.shape == "preference"  # PPO's reward: a reward model of its own on pairs, else rule rewards
    for method in methods:
        if method in LEARNT_REWARD and rlhf and "ppo-reward" not in specs:
            reward = _spec("reward", files["pairs"], model, None, overrides, seed + 1)
            specs["ppo-reward"] = reward
            users = " and ".join(m.upper() for m in methods if m in LEARNT_REWARD)
            arena.entries.append(Entry("reward", f"{arena.id}-ppo-reward", stage="reward",
                                       label=f"RLHF 1/2: {users}'s reward model"))
        spec = _spec(method, files[_file_for(method, report.shape)], model, budget, overrides, seed,
                     preset=PPO_PRESET if method == "ppo" and rlhf else None)
        spec.verdict_rows = str(folder / "holdout.jsonl")
        spec.verdict_judge = judged
        spec.holdout_rows = 0  # the arena holds the rows out itself, the same for every method
        if method in LEARNT_REWARD and rlhf:
            for key in ("reward_funcs", "reward_custom_file", "reward_custom_funcs"):
                spec.extras[key] = [] if key != "reward_custom_file" else ""
            spec.training.pop("reward_weights", None)
        specs[method] = spec
        arena.entries.append(Entry(method, f"{arena.id}-{method}",
                                   label=(f"RLHF 2/2: {method.upper()}" if method in LEARNT_REWARD and rlhf
                                          else METHODS[method].name)))
    arena.save(runs_dir)
    return arena, specs


def _file_for(method: str, shape: str) -> str:
    if shape == "preference":
        return {"sft": "sft", "kto": "kto", "ppo": "prompts", "rloo": "prompts"}.get(method, "pairs")
    if shape == "unpaired_preference":
        return "sft" if method == "sft" else "rows"
    return "rows"


def _training_files(folder: Path, shape: str, train: list[dict]) -> dict[str, str]:
    files = {"rows": folder / "train.jsonl"}
    write_jsonl(files["rows"], train)
    if shape == "preference":
        files["pairs"] = files["rows"]
        files["sft"] = folder / "sft.jsonl"
        write_jsonl(files["sft"], [{"prompt": r["prompt"], "completion": r["chosen"]} if "prompt" in r else
                                   {"messages": r["chosen"]} for r in train])
        files["kto"] = folder / "kto.jsonl"
        write_jsonl(files["kto"], [row for r in train for row in (
            {"prompt": r.get("prompt", r["chosen"][:-1] if isinstance(r["chosen"], list) else ""),
             "completion": r["chosen"] if "prompt" in r else r["chosen"][-1:], "label": True},
            {"prompt": r.get("prompt", r["rejected"][:-1] if isinstance(r["rejected"], list) else ""),
             "completion": r["rejected"] if "prompt" in r else r["rejected"][-1:], "label": False})])
        files["prompts"] = folder / "prompts.jsonl"
        write_jsonl(files["prompts"], [{"prompt": r["prompt"]} if "prompt" in r else {"prompt": r["chosen"][:-1]}
                                       for r in train])
    elif shape == "unpaired_preference":
        files["sft"] = folder / "sft.jsonl"
        from ..data.checks import parse_label

        write_jsonl(files["sft"], [{"prompt": r["prompt"], "completion": r["completion"]} for r in train
                                   if parse_label(r.get("label"))])
    return {k: str(v) for k, v in files.items()}


def _spec(method: str, dataset: str, model: str | None, budget: int | None, overrides: dict | None,
          seed: int, preset: Path | None = None) -> RunSpec:
    spec = load_spec(preset or preset_path(method), dict(overrides or {}).get(method))
    spec.dataset = dataset
    spec.training["seed"] = seed
    if model:
        spec.model["model_name_or_path"] = model
    if budget is not None:
        spec.training["max_steps"] = _steps(spec, budget)
    return spec


# Running -----------------------------------------------------------------------------------------------------

def submit_arena(runner, arena: Arena, specs: dict[str, RunSpec], owner: str = "", address: str = "") -> None:
    """Queue every stage in order; PPO starts only after its reward model finished, reading its folder."""
    runs_dir = runner.runs_dir
    tickets = {}
    for entry in arena.entries:
        key = "judge" if entry.stage == "judge" else "ppo-reward" if entry.stage == "reward" else entry.method
        spec = specs[key]
        after = tickets.get("ppo-reward") if entry.method in LEARNT_REWARD and not entry.stage else None
        ticket = runner.submit(spec, owner=owner, label=f"arena: {entry.label}", after=after,
                               fill="reward_model" if after else None, address=address,
                               run_dir=Path(runs_dir) / entry.run)
        tickets[key] = ticket
        entry.ticket = ticket.id
    arena.save(runs_dir)


def start_arena(runner, data: str, model: str | None = None, methods: list[str] | None = None,
                budget: int = DEFAULT_BUDGET, judge: str = "auto", owner: str = "", address: str = "",
                overrides: dict | None = None, holdout: int = HOLDOUT) -> Arena:
    arena, specs = plan_arena(data, runner.runs_dir, model, methods, budget, judge, holdout, overrides=overrides)
    submit_arena(runner, arena, specs, owner, address)
    return arena


def stop_arena(runner, arena: Arena, owner: str = "") -> int:
    """Cancel the arena's waiting runs and stop the one training; returns how many were cancelled."""
    ids = {e.ticket for e in arena.entries}
    cancelled = 0
    for _, ticket in runner.queued():
        if ticket.id in ids and runner.cancel(ticket.id, ticket.owner if not owner else owner):
            cancelled += 1
    live = runner.current
    names = {e.run for e in arena.entries}
    if live is not None and live.active and live.run_id in names:
        runner.stop()
    arena.stopped = True
    arena.save(runner.runs_dir)
    return cancelled


def resume_arena(runner, arena: Arena, owner: str = "", address: str = "") -> int:
    """Queue again what didn't finish (resumed from its checkpoint where it has one); returns how many."""
    runs_dir = runner.runs_dir
    waiting = {t.id for _, t in runner.queued()}
    live = runner.current
    again = 0
    previous = None  # the reward stage's new ticket, which PPO and RLOO wait for
    for entry in arena.entries:
        folder = arena.run_folder(runs_dir, entry)
        state = folder.state
        if entry.ticket in waiting or (live is not None and live.active and live.run_id == entry.run):
            previous = None if entry.stage == "reward" else previous
            continue
        if state == "finished":
            previous = None if entry.stage == "reward" else previous
            continue
        if folder.is_run() and folder.last_checkpoint() is not None:
            ticket = runner.submit_resume(folder.path, owner=owner, address=address)
        else:
            if folder.is_run():
                folder.delete()  # it never saved a checkpoint: start it afresh
            spec = _respec(arena, entry, runs_dir)
            ticket = runner.submit(spec, owner=owner, label=f"arena: {entry.label}", address=address,
                                   run_dir=folder.path, after=previous if entry.method in LEARNT_REWARD else None,
                                   fill="reward_model" if entry.method in LEARNT_REWARD and previous else None)
        entry.ticket = ticket.id
        previous = ticket if entry.stage == "reward" else previous
        again += 1
    arena.stopped = False
    arena.save(runs_dir)
    return again


def _respec(arena: Arena, entry: Entry, runs_dir: Path) -> RunSpec:
    """The spec of an entry that never started, rebuilt from the arena's files."""
    folder = arena.folder(runs_dir)
    files = {"pairs": folder / "train.jsonl", "rows": folder / "train.jsonl", "sft": folder / "sft.jsonl",
             "kto": folder / "kto.jsonl", "prompts": folder / "prompts.jsonl"}
    if entry.stage:
        return _spec("reward", str(files["pairs"]), arena.model, None, None,
                     arena.seed + (1 if entry.stage == "reward" else 0))
    spec = _spec(entry.method, str(files[_file_for(entry.method, arena.shape)]), arena.model, arena.budget, None,
                 arena.seed)
    spec.verdict_rows, spec.holdout_rows = str(folder / "holdout.jsonl"), 0
    judge = next((e for e in arena.entries if e.stage == "judge"), None)
    spec.verdict_judge = f"reward-model:{Path(runs_dir) / judge.run}" if judge else \
        ("answers" if arena.judge == "auto" and arena.shape != "preference" else arena.judge)
    if entry.method in LEARNT_REWARD and arena.shape == "preference":
        spec.extras.update(reward_funcs=[], reward_custom_file="", reward_custom_funcs=[])
        spec.training.pop("reward_weights", None)
        reward = next((e for e in arena.entries if e.stage == "reward"), None)
        if reward is not None:  # finished before the stop; queued again, its ticket fills this in anew
            spec.extras["reward_model"] = str(Path(runs_dir) / reward.run)
    return spec


# The table ------------------------------------------------------------------------------------------------------

def _tokens_per_second(metrics: list[dict]) -> float | None:
    points = [m for m in metrics if isinstance(m.get("num_tokens"), (int, float)) and m.get("time")]
    if len(points) < 2 or points[-1]["time"] <= points[0]["time"]:
        return None
    return (points[-1]["num_tokens"] - points[0]["num_tokens"]) / (points[-1]["time"] - points[0]["time"])


def arena_rows(arena: Arena, runs_dir: Path) -> list[dict]:
    """One row per method (PPO's wall time and memory include its reward model's), live as the arena fills."""
    rows, reward_stage = [], None
    for entry in arena.entries:
        folder = arena.run_folder(runs_dir, entry)
        status = folder.read_status()
        if entry.stage == "judge":
            continue
        if entry.stage == "reward":
            reward_stage = status
            continue
        summary = folder.read_summary() or {}
        wall = (status.get("finished_at") or time.time()) - status["started_at"] if status.get("started_at") else None
        peak = status.get("peak_rss_mb")
        if entry.method in LEARNT_REWARD and reward_stage and reward_stage.get("started_at"):
            wall = (wall or 0) + (reward_stage.get("finished_at", 0) - reward_stage["started_at"])
            peak = max(filter(None, (peak, reward_stage.get("peak_rss_mb"))), default=None)
        method = METHODS[entry.method]
        preference = summary.get("preference") or {}
        row = {
            "method": method.name, "id": entry.method, "run": entry.run,
            "state": status.get("state", "waiting") if status else "waiting",
            "wall_s": round(wall, 1) if wall is not None and status.get("state") not in (None, "waiting") else None,
            "peak_rss_mb": peak, "tokens_per_s": _tokens_per_second(folder.read_metrics()),
            "win_rate": summary.get("win_rate"), "ci_low": summary.get("ci_low"), "ci_high": summary.get("ci_high"),
            "wins": summary.get("wins"), "ties": summary.get("ties"), "losses": summary.get("losses"),
            "prefers_chosen": preference.get("after"), "base_prefers_chosen": preference.get("before"),
            "length_change": (summary.get("lengths") or {}).get("change_tokens"),
            "kl": summary.get("kl_per_answer"), "verdict": summary.get("verdict"),
            "models_in_memory": method.models_in_memory, "needs_reference_model": method.needs_reference_model,
            "note": "its reward model learnt from the judge's own pairs: likely optimistic"
                    if entry.method in OPTIMISTIC and arena.shape == "preference" else "",
        }
        rows.append(row)
    return rows


def arena_state(arena: Arena, runs_dir: Path) -> str:
    states = [arena.run_folder(runs_dir, e).state or "waiting" for e in arena.entries]
    if any(s in ("starting", "running") for s in states):
        return "running"
    if all(s == "finished" for s in states):
        return "finished"
    if arena.stopped:
        return "stopped"
    return "waiting" if any(s == "waiting" for s in states) else "incomplete"


def judge_note(arena: Arena, runs_dir: Path) -> str:
    """While the arena's own judge (a reward model on the training pairs) is not trained yet, what the rows, all
    "waiting", don't say; "" once it finished, or for an arena with no judge of its own."""
    entry = next((e for e in arena.entries if e.stage == "judge"), None)
    if entry is None:
        return ""
    state = arena.run_folder(runs_dir, entry).state or "waiting"
    if state == "finished":
        return ""
    if state in ("waiting", "starting", "running"):
        now = "is training" if state != "waiting" else "trains first"
        return f"The arena's judge (a reward model on the training pairs) {now}; the methods wait for it."
    return f"The arena's judge (run {entry.run}) is {state}: the methods can't be judged until it finishes."


def arena_sentence(rows: list[dict]) -> str:
    """One plain sentence: what won on this data and by how much, or that nothing beat the base clearly."""
    judged = [r for r in rows if r.get("win_rate") is not None]
    if not judged:
        return "No method has a verdict yet."
    improved = sorted((r for r in judged if r["verdict"] == "improved"), key=lambda r: -r["ci_low"])
    if not improved:
        best = max(judged, key=lambda r: r["win_rate"])
        return (f"No method beat the base clearly on this data (best: {best['method']}, win rate "
                f"{best['win_rate']:.0%}, 95% CI {best['ci_low']:.0%}–{best['ci_high']:.0%}).")
    top = improved[0]
    text = (f"{top['method']} did best on this data: it beat the base in {top['win_rate']:.0%} of the held-out "
            f"prompts (95% CI {top['ci_low']:.0%}–{top['ci_high']:.0%})")
    if len(improved) > 1:
        text += "; also better than the base: " + ", ".join(f"{r['method']} ({r['win_rate']:.0%})"
                                                             for r in improved[1:])
    regressed = [r["method"] for r in judged if r["verdict"] == "regressed"]
    if regressed:
        text += "; worse than the base: " + ", ".join(regressed)
    if top.get("note"):
        text += f" ({top['method']}'s {top['note']})"
    return text + "."


def chart_svg(rows: list[dict], width: int = 640, height: int = 320) -> str:
    """Win rate (with its 95% interval) against wall time, one dot per method; a dashed line at an even split."""
    judged = [r for r in rows if r.get("win_rate") is not None and r.get("wall_s")]
    left, right, top, bottom = 60, 20, 20, 40
    span = max((r["wall_s"] for r in judged), default=1) * 1.1 or 1
    x = lambda s: left + (width - left - right) * s / span  # noqa: E731
    y = lambda p: top + (height - top - bottom) * (1 - p)  # noqa: E731
    colours = {"improved": "#16a34a", "no clear change": "#6b7280", "regressed": "#dc2626"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="12">', f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<line x1="{left}" y1="{y(0.5)}" x2="{width - right}" y2="{y(0.5)}" stroke="#9ca3af" '
             'stroke-dasharray="4 4"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#111827"/>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#111827"/>',
             f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle">wall time (s)</text>',
             f'<text x="14" y="{height / 2}" transform="rotate(-90 14 {height / 2})" text-anchor="middle">'
             'win rate vs base</text>']
    for p in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{left - 6}" y="{y(p) + 4}" text-anchor="end">{p:.0%}</text>')
    for s in range(0, int(span) + 1, max(1, int(span // 5) or 1)):
        parts.append(f'<text x="{x(s)}" y="{height - bottom + 16}" text-anchor="middle">{s}</text>')
    for r in judged:
        colour = colours.get(r["verdict"], "#2563eb")
        cx = x(r["wall_s"])
        parts.append(f'<line x1="{cx}" y1="{y(r["ci_low"])}" x2="{cx}" y2="{y(r["ci_high"])}" stroke="{colour}" '
                     'stroke-width="2"/>')
        parts.append(f'<circle cx="{cx}" cy="{y(r["win_rate"])}" r="5" fill="{colour}"/>')
        parts.append(f'<text x="{cx + 8}" y="{y(r["win_rate"]) - 6}">{r["method"]}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _cell(value, kind: str = "") -> str:
    if value is None:
        return "—"
    if kind == "%":
        return f"{value:.0%}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _whole(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


TABLE_HEADERS = ["method", "state", "verdict", "win rate (95% CI)", "wall s", "peak MB", "tokens/s",
                 "prefers chosen", "length Δ", "KL", "models in memory", "ref. model"]


def table_rows(rows: list[dict]) -> list[list[str]]:
    out = []
    for r in rows:
        ci = (f"{r['win_rate']:.0%} ({r['ci_low']:.0%}–{r['ci_high']:.0%})" if r.get("win_rate") is not None else "—")
        chosen = (f"{r['base_prefers_chosen']:.0%} → {r['prefers_chosen']:.0%}" if r.get("prefers_chosen") is not None
                  else "—")
        out.append([r["method"] + (" *" if r.get("note") else ""), r["state"], r.get("verdict") or "—", ci,
                    _cell(r["wall_s"]), _whole(r["peak_rss_mb"]), _whole(r["tokens_per_s"]), chosen,
                    _cell(r["length_change"]), _cell(r["kl"]), r["models_in_memory"], r["needs_reference_model"]])
    return out


def write_report(arena: Arena, runs_dir: Path) -> Path:
    """report.md (the sentence, the table, the chart) and chart.svg in the arena's folder."""
    folder = arena.folder(runs_dir)
    rows = arena_rows(arena, runs_dir)
    (folder / "chart.svg").write_text(chart_svg(rows), encoding="utf-8")
    lines = [f"# Method arena {arena.id}", "",
             f"Data `{arena.data}` ({arena.shape}), model `{arena.model or 'the presets’'}`, {arena.budget} training "
             f"examples per method, the same held-out rows for all; state: {arena_state(arena, runs_dir)}.", "",
             arena_sentence(rows), "",
             "| " + " | ".join(TABLE_HEADERS) + " |", "|" + "---|" * len(TABLE_HEADERS)]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rows)]
    if any(r.get("note") for r in rows):
        lines += ["", "\\* " + "; ".join(f"{r['method']}: {r['note']}" for r in rows if r.get("note"))]
    lines += ["", "![win rate against wall time](chart.svg)", ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def arena_dict(arena: Arena, runs_dir: Path) -> dict:
    rows = arena_rows(arena, runs_dir)
    return {"arena": asdict(arena), "state": arena_state(arena, runs_dir), "rows": rows,
            "sentence": arena_sentence(rows)}


def read_holdout(arena: Arena, runs_dir: Path) -> list[dict]:
    return read_jsonl(arena.folder(runs_dir) / "holdout.jsonl")


def fewer_held_out(arena: Arena, asked: int) -> str:
    """The sentence saying the arena judges on fewer rows than were asked for (at most a tenth is held out), or ""."""
    if not arena.holdout or arena.holdout >= asked:
        return ""
    return (f"Every method is judged on {arena.holdout} held-out rows, not {asked}: the arena holds out at most a "
            "tenth of the data.")


def held_out_count(arena: Arena, runs_dir: Path) -> int | None:
    """How many rows every method is judged on (recorded in arena.json; read from the rows for older arenas)."""
    if arena.holdout:
        return arena.holdout
    try:
        return len(read_holdout(arena, runs_dir))
    except (OSError, ValueError):
        return None
