"""RunSpec: everything a run needs, and its YAML form (the preset files and each run's config.yaml).

A preset is flat YAML whose keys are exactly TRL's field names — the method's config class (SFTConfig,
DPOConfig, …) and trl.ModelConfig (model_name_or_path, use_peft, lora_r, …) — plus the studio's own
`method` and `dataset`. Unknown keys are an error that names the key and the nearest valid one.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ..methods import config_class, get_method, known_methods
from ..models import BUNDLED_MODEL
from ..paths import PROJECT_ROOT  # noqa: F401 (the presets and samples are found from it)
from ..redact import REDACTED, brief, redact_values
from ..yamlconfig import EXPONENT_FLOAT, MAX_CONFIG_BYTES, parse_yaml_config, yaml_scalar, yaml_value  # noqa: F401

STUDIO_KEYS = ("method", "dataset", "holdout_rows", "verdict_judge", "verdict_rows", "skip_bad_rows", "min_score_gap")
VERDICT_JUDGES = "auto, rewards, answers, reference, none, reward-model:PATH or pairwise:MODEL"
HOLDOUT_ROWS = 32  # rows kept out of training for the end-of-run evaluation (at most a tenth of the data)
# The studio's defaults where they differ from TRL's: LoRA on the attention projections, as the seed does.
MODEL_DEFAULTS = {
    "model_name_or_path": BUNDLED_MODEL,
    "use_peft": True,
    "lora_r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.05,
    "lora_target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
}
# Fields the studio sets itself; a preset may not override them.
MANAGED_KEYS = ("output_dir", "bf16", "fp16", "use_cpu", "disable_tqdm", "logging_dir")


def model_config_fields() -> set[str]:
    from trl import ModelConfig

    return {f.name for f in dataclasses.fields(ModelConfig)}


@dataclass
class RunSpec:
    method: str
    dataset: str
    model: dict = field(default_factory=dict)  # trl.ModelConfig fields
    training: dict = field(default_factory=dict)  # fields of the method's TRL config
    extras: dict = field(default_factory=dict)  # the method's own studio keys (e.g. GRPO's reward_funcs)
    holdout_rows: int = HOLDOUT_ROWS
    verdict_judge: str = "auto"  # who judges the end-of-run verdict (evaluation/verdict.py: choose_judge)
    verdict_rows: str = ""  # a file of rows to judge it on instead of its own held-out rows (an arena's)
    skip_bad_rows: bool = True  # leave rows with errors out of training (False: block on any error)
    min_score_gap: float = 0.0  # preference pairs with score columns: leave out pairs whose gap is below this

    @property
    def model_name(self) -> str:
        return self.model.get("model_name_or_path") or BUNDLED_MODEL

    def to_flat(self) -> dict:
        return {"method": self.method, "dataset": self.dataset, "holdout_rows": self.holdout_rows, **self._verdict(),
                **self.model,
                **self.extras, **self.training}

    def to_yaml(self, secrets: bool = False) -> str:
        """Grouped like the presets (# Model, # LoRA, # Rewards, # <Method>); loads back to an equal spec.
        Token-like values are written as REDACTED unless `secrets` (the user's own editor shows them)."""
        hide = (lambda values: values) if secrets else redact_values
        lora = {k: v for k, v in self.model.items() if k.startswith("lora_") or k == "use_peft"}
        model = {k: v for k, v in self.model.items() if k not in lora}
        head = {"method": self.method, "dataset": self.dataset, "holdout_rows": self.holdout_rows, **self._verdict()}
        sections = [("", head), ("Model", hide(model)), ("LoRA", lora),
                    ("Rewards", hide(self.extras)), (self.method.upper(), hide(self.training))]
        parts = []
        for title, values in sections:
            if values:
                keys = values if not title else sorted(values)
                body = "".join(f"{key}: {yaml_scalar(values[key])}\n" for key in keys)
                parts.append((f"# {title}\n" if title else "") + body)
        return "\n".join(parts)

    def _verdict(self) -> dict:
        """The verdict's and the data's settings, written only where they differ from the defaults."""
        return {k: v for k, v in (("verdict_judge", self.verdict_judge), ("verdict_rows", self.verdict_rows),
                                  ("skip_bad_rows", self.skip_bad_rows), ("min_score_gap", self.min_score_gap))
                if v != RunSpec.__dataclass_fields__[k].default}

    def dataset_path(self) -> Path:
        return resolve_path(self.dataset)


def resolve_path(value: str) -> Path:
    """A relative dataset path is looked up from the working directory, then from the project root."""
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    candidate = PROJECT_ROOT / path
    return candidate if candidate.exists() else path


def spec_from_dict(values: dict) -> RunSpec:
    """Split flat keys into model and training fields; unknown keys raise ValueError."""
    # A value written as REDACTED (a token kept out of a run's config.yaml) is as good as unset: the library
    # falls back to the login on this machine.
    values = {k: v for k, v in values.items() if v != REDACTED}
    method = values.pop("method", None)
    if not isinstance(method, str) or method not in known_methods():
        raise ValueError(f"'method' must be one of {', '.join(known_methods())}; got {brief(method)}.")
    dataset = values.pop("dataset", None)
    if not dataset:
        raise ValueError("'dataset' is missing: give the path of a dataset file.")
    if not isinstance(dataset, str):
        raise ValueError(f"'dataset' must be the path of a dataset file; got {brief(dataset)}.")
    verdict_judge = values.pop("verdict_judge", "auto")
    verdict_rows = values.pop("verdict_rows", "")
    if not isinstance(verdict_judge, str) or not (verdict_judge in ("auto", "rewards", "answers", "reference", "none")
                                                  or verdict_judge.startswith(("reward-model:", "pairwise:"))):
        raise ValueError(f"'verdict_judge' must be one of {VERDICT_JUDGES}; got {brief(verdict_judge)}.")
    if not isinstance(verdict_rows, str):
        raise ValueError(f"'verdict_rows' must be the path of a file of rows; got {brief(verdict_rows)}.")
    skip_bad_rows = values.pop("skip_bad_rows", True)
    if not isinstance(skip_bad_rows, bool):
        raise ValueError(f"'skip_bad_rows' must be true (leave rows with errors out of training) or false (block "
                         f"on any error); got {brief(skip_bad_rows)}.")
    min_score_gap = values.pop("min_score_gap", 0.0)
    if isinstance(min_score_gap, bool) or not isinstance(min_score_gap, (int, float)) or not min_score_gap >= 0:
        raise ValueError(f"'min_score_gap' must be a number ≥ 0 (0 keeps every scored pair); got "
                         f"{brief(min_score_gap)}.")
    holdout = values.pop("holdout_rows", HOLDOUT_ROWS)
    if not isinstance(holdout, int) or isinstance(holdout, bool) or holdout < 0:
        raise ValueError(f"'holdout_rows' must be a whole number ≥ 0 (0 turns the end-of-run evaluation off); "
                         f"got {brief(holdout)}.")
    training_fields = {f.name for f in dataclasses.fields(config_class(method))}
    model_fields = model_config_fields()
    extra_defaults = get_method(method).studio_keys
    model, training = copy.deepcopy(MODEL_DEFAULTS), {}
    extras = copy.deepcopy(extra_defaults)
    for key, value in values.items():
        if not isinstance(key, str):
            raise ValueError(f"config keys are names; got {brief(key)}.")
        if isinstance(value, str) and EXPONENT_FLOAT.match(value.strip()):
            value = float(value)  # YAML 1.1 reads 1e-4 (no dot) as a string; people mean a number
        if key in MANAGED_KEYS:
            raise ValueError(f"'{key}' is set by the studio (run folder, precision, logging); remove it.")
        if len(key) > 100:
            raise ValueError(f"unknown key {brief(key)} for method {method}.")
        if key in model_fields:
            model[key] = value
        elif key in extra_defaults:
            extras[key] = value
        elif key in training_fields:
            training[key] = value
        else:
            known = training_fields | model_fields | set(extra_defaults) | set(STUDIO_KEYS)
            near = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise ValueError(f"unknown key '{key}' for method {method}.{hint}")
    get_method(method).check_options(training)  # e.g. a DPO loss_type TRL doesn't have
    if "report_to" in training:  # the trackers, by name (studio/trackers.py); none is the default
        from ..trackers import parse

        names = parse(training["report_to"])
        training["report_to"] = names[0] if len(names) == 1 else (names or "none")
    return RunSpec(method=method, dataset=str(dataset), model=model, training=training, extras=extras,
                   holdout_rows=holdout, verdict_judge=verdict_judge, verdict_rows=verdict_rows,
                   skip_bad_rows=skip_bad_rows, min_score_gap=float(min_score_gap))


def parse_overrides(pairs: list[str]) -> dict:
    """['max_steps=3', 'beta=0.2'] → {'max_steps': 3, 'beta': 0.2}; values are read as YAML scalars."""
    result = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set expects KEY=VALUE, got '{pair}'.")
        result[key.strip()] = yaml_value(raw, pair)
    return result


def spec_from_yaml(text: str, overrides: dict | None = None, where: str = "the config") -> RunSpec:
    values = parse_yaml_config(text, where)
    values.update(overrides or {})
    try:
        return spec_from_dict(values)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def load_spec(path: str | Path, overrides: dict | None = None) -> RunSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValueError(f"{path}: no such config file.") from exc
    return spec_from_yaml(text, overrides, where=str(path))


def preset_path(method: str, demo: bool = True) -> Path:
    return PROJECT_ROOT / "presets" / ("demo" if demo else "") / f"{method}.yaml"
