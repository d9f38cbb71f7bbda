"""Rounds of a feedback queue: where the prompts come from, which models answer them, and training on the labels.

Prompts come from a file, a dataset's rows (the Data tab's) or a finished run's held-out rows. Each round
answers every prompt of the queue with two sources (base vs aligned of a run, two runs, or two samples of one
model) or one (thumbs only), through the studio's batched generation (`evaluation.generate.ComparePair.answers`,
the base's answers cached like a verdict's), in the web server as the Compare tab does: the pool keeps one
run's model loaded, a plain model is loaded for the round and let go after. Items are written as each batch
of answers is done, in an order drawn per item (`FeedbackSession.order`).

Training goes through the normal run path: the labels exported to a new file (store.write_export), the demo
preset of the method (DPO on the pairs, KTO on the thumbs) with that file as its dataset, started by the caller
(services.Studio.start_run). A run trained on a queue's export belongs to that queue (`session_runs`); the next
round's answers come from its model (`next_round_sources`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..evaluation.generate import BATCH_SIZE, BaseAnswers, ComparePair, DecodeSettings
from ..evaluation.judges import prompt_text
from ..training.runs import RunFolder, list_runs
from .store import FeedbackSession, check_may_delete, delete_session, prompt_display

PAIRINGS = {
    "base_vs_aligned": "Base vs aligned of a run",
    "two_runs": "Two runs",
    "two_samples": "Two samples of one model",
    "one_answer": "One answer each (thumbs up / down)",
}
MAX_PROMPTS = 2000  # prompts a queue keeps (generation is the slow part; a shared studio allows fewer)
MIN_TRAIN_ROWS = 2
RUN_PREFIX = "run:"  # a model picker's value naming a run's aligned model


@dataclass(frozen=True)
class AnswerSource:
    """Who writes one side's answers: a run's aligned model, a run's base model, or a plain model."""

    kind: str  # "aligned" | "base" | "model"
    run: str = ""  # the run folder's name (aligned, base)
    model: str = ""  # a model name or folder (model)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> AnswerSource:
        return cls(str(data.get("kind", "")), str(data.get("run", "")), str(data.get("model", "")))

    @classmethod
    def parse(cls, value: str, default_model: str) -> AnswerSource:
        """A model picker's value: "run:NAME" (that run's aligned model), or a model name (default when empty)."""
        value = str(value or "").strip()
        if value.startswith(RUN_PREFIX):
            return cls("aligned", run=value[len(RUN_PREFIX):])
        return cls("model", model=value or default_model)

    def label(self, runs_dir: Path) -> str:
        """The model's name as labels record it."""
        if self.kind == "aligned":
            return f"{self.run} (aligned)"
        if self.kind == "base":
            try:
                base = RunFolder(Path(runs_dir) / self.run).base_model
            except ValueError:
                base = "?"
            return f"{base} (base of {self.run})"
        return self.model

    def train_from(self, runs_dir: Path) -> str:
        """What a run that continues from this side's model trains (model_name_or_path)."""
        if self.kind == "aligned":
            return str(Path(runs_dir) / self.run)
        if self.kind == "base":
            return RunFolder(Path(runs_dir) / self.run).base_model
        return self.model


# Prompts ------------------------------------------------------------------------------------------------------

def prompts_of(rows: list[dict], limit: int = MAX_PROMPTS) -> list:
    """Each distinct prompt of `rows`, in order, at most `limit`: a prompt column, a conversation's turns before
    its last answer, or what a pair's chosen and rejected share."""
    from ..evaluation.verdict import prompt_of

    prompts, seen = [], set()
    for row in rows:
        try:
            prompt = prompt_of(row)
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
        shown = prompt_display(prompt).strip()
        if not shown or shown in seen:
            continue
        seen.add(shown)
        prompts.append(prompt)
        if len(prompts) >= limit:
            break
    return prompts


def prompts_from_file(path: str | Path, limit: int = MAX_PROMPTS, max_bytes: int | None = None,
                      max_rows: int | None = None) -> list:
    """The prompts of a dataset file (any shape the Data tab reads, plain prompts included)."""
    from ..data import inspect_dataset

    kwargs = {"max_bytes": max_bytes} if max_bytes else {}
    report, rows = inspect_dataset(str(path), max_rows=max_rows, **kwargs)
    prompts = prompts_of(rows, limit)
    if not prompts:
        reason = f" ({report.errors[0].describe(report.source)})" if report.errors else ""
        raise ValueError(f"{report.source} holds no prompts to answer{reason}: give rows with a 'prompt' column "
                         "(or chats, or preference pairs).")
    return prompts


def prompts_from_holdout(run_dir: Path, limit: int = MAX_PROMPTS) -> list:
    folder = RunFolder(run_dir)
    if not folder.holdout.is_file():
        raise ValueError(f"Run {folder.name} kept no held-out rows (holdout_rows was 0, or its data was too small); "
                         "pick another run or give a file of prompts.")
    prompts = prompts_of(folder.read_holdout(), limit)
    if not prompts:
        raise ValueError(f"Run {folder.name}'s held-out rows hold no prompts.")
    return prompts


def runs_with_holdout(runs_dir: Path, active=frozenset()) -> list[dict]:
    return [r for r in list_runs(runs_dir, active) if RunFolder(r["run_dir"]).holdout.is_file()]


def answering_runs(runs_dir: Path, active=frozenset()) -> list[dict]:
    """Runs whose saved model writes answers (not reward models, not ones still training), newest first."""
    return [r for r in list_runs(runs_dir, active)
            if RunFolder(r["run_dir"]).has_model() and r.get("method") != "reward"
            and r.get("state") not in ("starting", "running")]


# Who answers ---------------------------------------------------------------------------------------------------

def plan_sources(pairing: str, run_a: str, run_b: str, model: str, default_model: str,
                 check_run: Callable[[str], Path]) -> list[AnswerSource]:
    """The sources a pairing names; `check_run` turns a run's name into its folder (raising when it isn't one
    of this studio's)."""
    def a_run(name: str, which: str) -> str:
        if not name:
            raise ValueError(f"Pick {which} (a finished or stopped run with a saved model).")
        folder = RunFolder(check_run(name))
        if not folder.has_model():
            raise ValueError(f"Run {folder.name} has no saved model yet; pick it once it has finished or stopped.")
        if folder.method == "reward":
            raise ValueError(f"Run {folder.name} is a reward model: it scores answers, it doesn't write them.")
        return folder.name

    if pairing == "base_vs_aligned":
        name = a_run(run_a, "the run")
        return [AnswerSource("base", run=name), AnswerSource("aligned", run=name)]
    if pairing == "two_runs":
        first, second = a_run(run_a, "the first run"), a_run(run_b, "the second run")
        if first == second:
            raise ValueError("Pick two different runs (for two answers of one run, pick 'Two samples of one model').")
        return [AnswerSource("aligned", run=first), AnswerSource("aligned", run=second)]
    if pairing in ("two_samples", "one_answer"):
        source = AnswerSource.parse(model, default_model)
        if source.kind == "aligned":
            source = AnswerSource("aligned", run=a_run(source.run, "the run"))
        return [source, source] if pairing == "two_samples" else [source]
    raise ValueError(f"Pick how the answers are made: {', '.join(PAIRINGS.values())}.")


def side_settings(sources: list[AnswerSource], settings: DecodeSettings) -> list[DecodeSettings]:
    """The same decoding for both sides; two samples of one model differ by their seed only, so they need
    sampling (greedy decoding would write the same answer twice)."""
    if len(sources) == 2 and sources[0] == sources[1]:
        if settings.temperature <= 0:
            raise ValueError("Two samples of one model need a temperature above 0 (greedy decoding writes the same "
                             "answer twice); try 0.7.")
        return [settings, DecodeSettings(settings.max_new_tokens, settings.temperature, settings.top_p,
                                         settings.seed + 1)]
    return [settings] * len(sources)


class ModelAnswerer(ComparePair):
    """A plain model (no run) answering through ComparePair's batched generation: one set of weights, used as
    the "aligned" side."""

    def __init__(self, name: str):  # not super().__init__: that reads a run folder, which a plain model hasn't
        from ..models import load_causal_lm, load_tokenizer, placement, resolve_model

        where = placement()
        self.run_dir = None
        self.device = where.device
        self.base_path = resolve_model(name)
        self.tokenizer = load_tokenizer(self.base_path)
        self.model = load_causal_lm(self.base_path, where)
        self.base = self.model
        self.lock = threading.Lock()


def default_answerer(runs_dir: Path, pool) -> Callable[[AnswerSource], tuple[object, bool]]:
    """source → (something with ComparePair's `answers`, whether to answer with the aligned side)."""
    loaded: dict[str, ModelAnswerer] = {}

    def answerer(source: AnswerSource):
        if source.kind in ("aligned", "base"):
            return pool.get(str(Path(runs_dir) / source.run)), source.kind == "aligned"
        if source.model not in loaded:
            loaded.clear()  # one plain model at a time
            loaded[source.model] = ModelAnswerer(source.model)
        return loaded[source.model], True

    return answerer


# Generating a round -------------------------------------------------------------------------------------------

@dataclass
class RoundProgress:
    session: str
    round: int
    total: int  # answers to write (prompts × sides)
    done: int = 0
    state: str = "generating"  # generating | ready | failed
    message: str = ""

    def line(self) -> str:
        if self.state == "generating":
            return f"Round {self.round}: {self.done} of {self.total} answers written…"
        if self.state == "failed":
            return f"Round {self.round} failed: {self.message}"
        return f"Round {self.round} is ready: {self.message}"


_GENERATING: dict[str, RoundProgress] = {}
_GENERATE_LOCK = threading.Lock()  # one round at a time: the answering model is one for the whole server


def round_progress(session: FeedbackSession) -> RoundProgress | None:
    return _GENERATING.get(str(session.path))


def round_state(session: FeedbackSession, meta: dict | None = None) -> str:
    """The newest round's state; "interrupted" when it says it is being generated but nothing here generates it
    (the app stopped in the middle)."""
    meta = meta or session.meta()
    if not meta.get("rounds"):
        return "empty"
    state = meta["rounds"][-1].get("state", "")
    live = round_progress(session)
    if state == "generating" and (live is None or live.state != "generating"):
        return "interrupted"
    return state


def open_round(session: FeedbackSession, sources: list[AnswerSource], settings: list[DecodeSettings],
               runs_dir: Path, prompts: int, from_run: str = "") -> int:
    """Add a round in the state "generating" to the queue's description; returns its number."""
    number = {}

    def change(meta):
        number["round"] = len(meta["rounds"]) + 1
        meta["rounds"].append({"round": number["round"], "state": "generating", "started_at": time.time(),
                               "sources": [s.to_dict() for s in sources],
                               "models": [s.label(runs_dir) for s in sources],
                               "decoding": [vars(s) for s in settings], "prompts": prompts,
                               "items": 0, "from_run": from_run})

    session.update_meta(change)
    return number["round"]


def generate_round(session: FeedbackSession, sources: list[AnswerSource], settings: DecodeSettings,
                   answerer: Callable[[AnswerSource], tuple[object, bool]], runs_dir: Path,
                   prompts: list | None = None, from_run: str = "", progress: RoundProgress | None = None,
                   batch_size: int = BATCH_SIZE, round_no: int | None = None) -> int:
    """Answer the queue's prompts with `sources` as a new round (or as round `round_no`, opened already);
    returns the round's number. Items are appended as each batch of the last side is answered, so what was
    generated stays when the app stops half-way."""
    prompts = session.prompts() if prompts is None else prompts
    settings_per_side = side_settings(sources, settings)
    if round_no is None:
        round_no = open_round(session, sources, settings_per_side, runs_dir, len(prompts), from_run)
    if progress is not None:
        progress.round, progress.total = round_no, len(prompts) * len(sources)
    written = 0

    def finish(state: str, message: str = ""):
        def change(meta):
            meta["rounds"][round_no - 1].update(state=state, items=written, message=message, ended_at=time.time())
        session.update_meta(change)

    try:
        answered: list[list] = []
        for side, (source, side_setting) in enumerate(zip(sources, settings_per_side)):
            pair, aligned = answerer(source)
            cache = BaseAnswers(runs_dir) if source.kind == "base" else None
            key = cache.key(str(pair.base_path), pair.tokenizer, [prompt_text(p) for p in prompts],
                            side_setting) if cache else ""  # the verdict's key: the same prompts share answers
            cached = cache.get(key) if cache else None
            last = side == len(sources) - 1
            answers = list(cached) if cached and len(cached) == len(prompts) else []
            if progress is not None:
                progress.done += len(answers)
            for start in range(len(answers), len(prompts), max(1, batch_size)):
                chunk = pair.answers(prompts[start:start + batch_size], side_setting, aligned=aligned,
                                     batch_size=batch_size)
                answers.extend(chunk)
                if progress is not None:
                    progress.done += len(chunk)
                if last:
                    written += _write_items(session, round_no, prompts, answered + [answers], sources,
                                            settings_per_side, runs_dir, start=written)
            if cache and not cached:
                cache.put(key, answers)
            answered.append(answers)
        if written < len(prompts):  # the last side came from the cache
            written += _write_items(session, round_no, prompts, answered, sources, settings_per_side, runs_dir,
                                    start=written)
    except Exception as exc:  # a model that can't load, memory, a bad prompt: the round says why
        from ..redact import bounded

        message = bounded(str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}", 400)
        finish("failed", f"{message} ({written} items were written before it stopped)")
        if progress is not None:
            progress.state, progress.message = "failed", message
        raise ValueError(message) from exc
    finish("ready", f"{written} items")
    if progress is not None:
        progress.state, progress.message = "ready", f"{written} prompts answered"
    return round_no


def _write_items(session: FeedbackSession, round_no: int, prompts: list, answered: list[list],
                 sources: list[AnswerSource], settings: list[DecodeSettings], runs_dir: Path, start: int) -> int:
    """Append items for the prompts from `start` to as far as every side has answered; returns how many."""
    end = min(len(side) for side in answered)
    items = []
    for index in range(start, end):
        item_id = f"{round_no}-{index:04d}"
        sides = [{"text": answered[s][index].text, "model": sources[s].label(runs_dir), "source": sources[s].to_dict(),
                  "decoding": vars(settings[s]), "tokens": answered[s][index].tokens,
                  "ended": answered[s][index].ended, "generated_as": s + 1} for s in range(len(sources))]
        swapped = len(sides) == 2 and session.order(item_id)
        if swapped:
            sides.reverse()
        items.append({"id": item_id, "round": round_no, "index": index, "prompt": prompts[index], "swapped": swapped,
                      "a": sides[0], "b": sides[1] if len(sides) == 2 else None})
    session.append_items(items)
    return len(items)


def start_round(session: FeedbackSession, sources: list[AnswerSource], settings: DecodeSettings,
                answerer, runs_dir: Path, from_run: str = "") -> RoundProgress:
    """Generate a round in a thread of its own (a page that closes or reloads doesn't stop it); its progress is
    `round_progress(session)`. One round at a time: ValueError when another is being generated."""
    per_side = side_settings(sources, settings)  # refuse greedy "two samples" before anything starts
    if not _GENERATE_LOCK.acquire(blocking=False):
        raise ValueError("Another feedback round is being generated right now; try again when it is done.")
    try:
        prompts = session.prompts()
        round_no = open_round(session, sources, per_side, runs_dir, len(prompts), from_run)
    except BaseException:
        _GENERATE_LOCK.release()
        raise
    progress = RoundProgress(session.name, round_no, len(prompts) * len(sources))
    _GENERATING[str(session.path)] = progress

    def work():
        try:
            generate_round(session, sources, settings, answerer, runs_dir, prompts=prompts, from_run=from_run,
                           progress=progress, round_no=round_no)
        except ValueError:
            pass  # the round's state and the progress say why
        finally:
            _GENERATE_LOCK.release()

    threading.Thread(target=work, name=f"feedback-{session.name}", daemon=True).start()
    return progress


# Training on the labels, and the next round ----------------------------------------------------------------------

TRAIN_KINDS = {"dpo": "pairs", "kto": "unpaired"}


def training_spec(session: FeedbackSession, method: str, model: str, max_steps: int | None = None,
                  keep_exports: int | None = None):
    """(RunSpec, Export): the labels written to a new file, and the demo preset of `method` on it (DPO on the
    pairs, KTO on the rated answers) from `model`. `keep_exports` (a shared studio): at most that many training
    files stay, the oldest that no run trains on going first."""
    from ..training.spec import load_spec, preset_path
    from .store import export_pairs, export_unpaired, write_export

    if method not in TRAIN_KINDS:
        raise ValueError(f"Train DPO on the pairs or KTO on the thumbs; {method!r} is neither.")
    kind = TRAIN_KINDS[method]
    preview = (export_pairs if kind == "pairs" else export_unpaired)(session.folded(), session.items())
    if len(preview.rows) < MIN_TRAIN_ROWS:
        what = ("pairs where one answer is better (or edits); ties and both-bad don't count" if kind == "pairs" else
                "rated answers (thumbs up or down, or both bad)")
        raise ValueError(f"Collect at least {MIN_TRAIN_ROWS} {what} first: so far {preview.note()}.")
    if kind == "unpaired" and preview.good in (0, len(preview.rows)):
        raise ValueError(f"KTO learns from both kinds of answer: so far all {len(preview.rows)} rated answers are "
                         f"thumbs {'up' if preview.good else 'down'}. Rate some the other way first.")
    export = write_export(session, kind)
    if keep_exports is not None:
        _prune_exports(session, keep_exports, keep_paths={export.path})
    overrides: dict = {"dataset": str(export.path), "model_name_or_path": model}
    if max_steps:
        overrides["max_steps"] = int(max_steps)
    if kind == "unpaired":
        good, bad = export.good, len(export.rows) - export.good
        # TRL's advice: desirable_weight·good / (undesirable_weight·bad) in [1, 4/3]; weigh the scarcer kind up.
        if good < bad:
            overrides["desirable_weight"] = round(min(100.0, bad / good), 3)
        elif good > bad * 4 / 3:
            overrides["undesirable_weight"] = round(min(100.0, good / bad), 3)
    return load_spec(preset_path(method), overrides), export


def session_runs(session: FeedbackSession, runs_dir: Path, active=frozenset()) -> list[dict]:
    """Runs trained on one of this queue's exports, newest first."""
    exports = session.exports.resolve()
    found = []
    for run in list_runs(runs_dir, active):
        dataset = str(run.get("dataset") or "")
        if dataset and Path(dataset).expanduser().resolve().parent == exports:
            found.append(run)
    return found


def _in_use(session: FeedbackSession, runs_dir: Path, waiting=()) -> set[Path]:
    """This queue's training files that a run trains on (or a waiting run will: `waiting` datasets)."""
    exports = session.exports.resolve()
    used = {Path(str(run["dataset"])).expanduser().resolve() for run in session_runs(session, runs_dir)}
    used |= {Path(str(d)).expanduser().resolve() for d in waiting if d}
    return {p for p in used if p.parent == exports}


def _prune_exports(session: FeedbackSession, keep: int, keep_paths=frozenset()) -> None:
    runs_dir = session.path.parent.parent
    kept = {Path(p).resolve() for p in keep_paths} | _in_use(session, runs_dir)
    files = sorted((p for p in session.exports.glob("*.jsonl") if p.resolve() not in kept),
                   key=lambda p: p.stat().st_mtime)
    for path in files[: max(0, len(files) - (keep - len(keep_paths)))]:
        path.unlink(missing_ok=True)


def delete_queue(session: FeedbackSession, runs_dir: Path, owner: str | None = None, annotator: str | None = None,
                 waiting=()) -> str:
    """Delete a queue (store.delete_session's owner rule), unless its answers are being generated right now or a
    run trains (or a waiting run will train) on its labels: that run's data lives in the queue."""
    check_may_delete(session, owner, annotator)  # who may ask comes first
    progress = round_progress(session)
    if progress is not None and progress.state == "generating":
        raise ValueError("This queue's answers are being generated right now; delete it when they are done.")
    used = _in_use(session, runs_dir, waiting)
    if used:
        runs = [run["name"] for run in session_runs(session, runs_dir)]
        which = f"Run {runs[0]}" if runs else "A waiting run"
        raise ValueError(f"{which} trains on this queue's labels, which it keeps as its data; the queue stays.")
    return delete_session(session, owner, annotator)


def next_round_sources(session: FeedbackSession, run_name: str) -> list[AnswerSource]:
    """The next round's sources, with the trained run's model where the policy was: base vs aligned of the new
    run (its base is the model the labels judged), two samples of it, or one answer of it."""
    pairing = session.meta().get("answers", {}).get("pairing", "base_vs_aligned")
    new = AnswerSource("aligned", run=run_name)
    if pairing == "two_samples":
        return [new, new]
    if pairing == "one_answer":
        return [new]
    return [AnswerSource("base", run=run_name), new]


def policy_choices(session: FeedbackSession, runs_dir: Path) -> list[tuple[str, str]]:
    """(label, model_name_or_path) of the models a training on this queue may start from: its newest trained
    run first, then the models of its newest round (the aligned side first)."""
    meta = session.meta()
    choices = []
    for run in session_runs(session, runs_dir):
        if RunFolder(run["run_dir"]).has_model():
            choices.append((f"{run['name']} (trained on this queue)", str(Path(runs_dir) / run["name"])))
            break
    rounds = meta.get("rounds") or []
    sources = [AnswerSource.from_dict(s) for s in (rounds[-1]["sources"] if rounds else
                                                   meta.get("answers", {}).get("sources", []))]
    for source in sorted(sources, key=lambda s: s.kind != "aligned"):
        try:
            value = source.train_from(runs_dir)
        except ValueError:
            continue
        if value and value not in [v for _, v in choices]:
            choices.append((source.label(runs_dir), value))
    return choices
