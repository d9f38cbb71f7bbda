"""Shared mode: the limits that make the studio safe to open to strangers (a Space, `--share`, `--shared`).

What an operator of a public Space expects: no visitor can run code, read secrets, spend the operator's
account, or deny the studio to others. So in shared mode:

- a config is checked against an allowlist (`SHARED_FIELDS`): the fields the page offers plus the TRL fields
  that only tune training, each bounded where it costs time, memory or disk; anything else is refused by
  name (`trust_remote_code`, `model_init_kwargs`, `deepspeed`, `push_to_hub`, `hub_*`, …);
- datasets are uploads or the bundled samples, models are the operator's, a hub id or an earlier run here;
- credentials are the visitor's own, typed for one push; the operator's HF_TOKEN is sent only for the model
  the operator configured, and token-like values in a config are refused (elsewhere: redacted);
- uploads, parsed rows, waiting runs, run length, exports and uploads on disk all have caps (`SharedLimits`,
  each settable by the operator through a STUDIO_SHARED_* variable).
Off (the default on your own machine), every TRL field is yours. The UI calls these checks before acting;
the CLI is trusted and never calls them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .data.loading import MAX_FILE_BYTES
from .limits import SHARED_UPLOAD_BYTES, SharedLimits  # noqa: F401 (SHARED_UPLOAD_BYTES: for callers)
from .redact import brief, secret_keys

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")
_IDENTIFIER = re.compile(r"^[\w.*-]{1,64}$")


def owner_id(visitor: str | None) -> str:
    """What a run records as its owner: a hash of the visitor's random browser id, so the id itself (which
    grants control of the run) never lands in a run folder others can read."""
    return hashlib.sha256(visitor.encode("utf-8")).hexdigest()[:16] if visitor else ""


NOT_YOURS = ("This run belongs to another visitor: you can watch it and compare it, but not stop, resume, "
             "export or delete it.")


def on_a_space() -> bool:
    return bool(os.environ.get("SPACE_ID"))


# The allowlist ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """What a visitor may put in one config field: its kind and bounds."""

    kind: str  # int | float | bool | str | choice | str_list | float_list | str_or_list
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    max_items: int = 16
    pattern: re.Pattern | None = None
    max_chars: int = 64

    def check(self, key: str, value, high: float | None = None) -> None:
        high = self.high if high is None else high
        if value is None and key != "max_steps":
            return
        kind = self.kind
        if kind in ("int", "float"):
            ok_type = isinstance(value, int) if kind == "int" else isinstance(value, (int, float))
            if isinstance(value, bool) or not ok_type:
                raise ValueError(f"{key} must be a {'whole ' if kind == 'int' else ''}number; got {brief(value)}.")
            if (self.low is not None and value < self.low) or (high is not None and value > high):
                raise ValueError(f"In shared mode {key} must lie between {self.low:g} and {high:g}; got "
                                 f"{brief(value)}.")
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false; got {brief(value)}.")
        elif kind == "choice":
            if value not in self.choices:
                raise ValueError(f"In shared mode {key} must be one of {', '.join(map(str, self.choices))}; "
                                 f"got {brief(value)}.")
        elif kind == "str":
            self._check_text(key, value)
        elif kind in ("str_list", "float_list", "str_or_list"):
            if kind == "str_or_list" and isinstance(value, str):
                return self._check_text(key, value)
            if not isinstance(value, list) or len(value) > self.max_items:
                raise ValueError(f"{key} must be a list of at most {self.max_items} items; got {brief(value)}.")
            for item in value:
                if kind == "float_list":
                    if isinstance(item, bool) or not isinstance(item, (int, float)) or abs(item) > 1e6:
                        raise ValueError(f"{key} must hold numbers; got {brief(item)}.")
                elif self.choices:
                    if item not in self.choices:
                        raise ValueError(f"{key}: {brief(item)} is not one of {', '.join(self.choices)}.")
                else:
                    self._check_text(key, item)

    def _check_text(self, key: str, value) -> None:
        if not isinstance(value, str) or len(value) > self.max_chars:
            raise ValueError(f"{key} must be a text of at most {self.max_chars} characters; got {brief(value)}.")
        if self.pattern is not None and value and not self.pattern.match(value):
            raise ValueError(f"{key} holds characters it can't have; got {brief(value)}.")


def _int(low, high=None) -> Rule:
    return Rule("int", low, high)


def _float(low, high=None) -> Rule:
    return Rule("float", low, high)


_BOOL = Rule("bool")
_NAME = Rule("str", pattern=_IDENTIFIER)
_SCHEDULES = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
              "inverse_sqrt", "cosine_with_min_lr", "warmup_stable_decay")
_OPTIMIZERS = ("adamw_torch", "adamw_torch_fused", "adafactor", "sgd", "adagrad", "rmsprop", "adamw_8bit",
               "adamw_bnb_8bit", "paged_adamw_8bit", "paged_adamw_32bit")

# Fields a visitor may set in shared mode. `max_steps`' upper bound comes from SharedLimits. Fields that name
# files, folders, hubs, code, kernels, trackers or processes are absent on purpose.
SHARED_FIELDS: dict[str, Rule] = {
    # The studio's own
    "holdout_rows": _int(0, 64),
    "verdict_judge": Rule("choice", choices=("auto", "rewards", "answers", "reference", "none")),
    "skip_bad_rows": _BOOL, "min_score_gap": _float(0, 100),
    # trl.ModelConfig (model_name_or_path is checked by check_model)
    "use_peft": _BOOL, "lora_r": _int(1, 128), "lora_alpha": _float(1, 512), "lora_dropout": _float(0, 0.5),
    "lora_target_modules": Rule("str_or_list", max_items=32, pattern=_IDENTIFIER),
    "lora_modules_to_save": Rule("str_list", max_items=8, pattern=_IDENTIFIER),
    "lora_task_type": Rule("choice", choices=("CAUSAL_LM", "SEQ_CLS")),
    "use_rslora": _BOOL, "use_dora": _BOOL, "load_in_4bit": _BOOL, "load_in_8bit": _BOOL,
    "bnb_4bit_quant_type": Rule("choice", choices=("nf4", "fp4")), "use_bnb_nested_quant": _BOOL,
    # Rewards (GRPO, PPO); reward_model is checked by check_model, custom code is refused
    "reward_funcs": Rule("str_list", max_items=8, pattern=_IDENTIFIER),
    "reward_answer_column": _NAME, "reward_target_length": _int(1, 10_000),
    "reward_keywords": Rule("str_list", max_items=32), "reward_regex": Rule("str", max_chars=200),
    "reward_weights": Rule("float_list"),
    # Schedule and optimiser
    "max_steps": _int(1), "num_train_epochs": _float(0, 3), "learning_rate": _float(0, 1),
    "per_device_train_batch_size": _int(1, 16), "per_device_eval_batch_size": _int(1, 16),
    "gradient_accumulation_steps": _int(1, 16), "lr_scheduler_type": Rule("choice", choices=_SCHEDULES),
    "warmup_steps": _float(0, 10_000), "weight_decay": _float(0, 1), "max_grad_norm": _float(0, 1e4),
    "adam_beta1": _float(0, 1), "adam_beta2": _float(0, 1), "adam_epsilon": _float(0, 1),
    "optim": Rule("choice", choices=_OPTIMIZERS), "seed": _int(0, 2**31 - 1), "data_seed": _int(0, 2**31 - 1),
    "logging_steps": _float(1, 10_000), "save_steps": _float(10, 1e6), "save_total_limit": _int(1, 3),
    "save_strategy": Rule("choice", choices=("steps", "epoch", "no")),
    "eval_strategy": Rule("choice", choices=("no", "steps", "epoch")), "eval_steps": _float(5, 1e6),
    "gradient_checkpointing": _BOOL, "label_smoothing_factor": _float(0, 0.5), "neftune_noise_alpha": _float(0, 20),
    # Lengths
    "max_length": _int(16, 2048), "max_prompt_length": _int(8, 1024), "max_completion_length": _int(1, 512),
    "truncation_mode": Rule("choice", choices=("keep_start", "keep_end")),
    # SFT
    "completion_only_loss": _BOOL, "assistant_only_loss": _BOOL, "packing": _BOOL,
    "packing_strategy": Rule("choice", choices=("bfd", "wrapped")), "padding_free": _BOOL, "shuffle_dataset": _BOOL,
    # The preference family: β and losses
    "beta": _float(0, 10), "loss_type": Rule("str_or_list", max_items=4, pattern=_IDENTIFIER),
    "loss_weights": Rule("float_list", max_items=4), "label_smoothing": _float(0, 0.5),
    "desirable_weight": _float(0, 100), "undesirable_weight": _float(0, 100), "ld_alpha": _float(0, 1),
    "use_weighting": _BOOL, "f_divergence_type": _NAME, "f_alpha_divergence_coef": _float(0, 10),
    "discopop_tau": _float(0, 10), "precompute_ref_log_probs": _BOOL, "disable_dropout": _BOOL,
    "cpo_alpha": _float(0, 10), "simpo_gamma": _float(0, 10), "alpha": _float(0, 10),
    "center_rewards_coefficient": _float(0, 1),
    # Online RL: generations
    "num_generations": _int(2, 16), "num_generations_eval": _int(1, 16), "generation_batch_size": _int(1, 128),
    "steps_per_generation": _int(1, 8), "num_iterations": _int(1, 4), "temperature": _float(0, 2),
    "top_p": _float(0, 1), "top_k": _int(0, 1000), "min_p": _float(0, 1), "repetition_penalty": _float(0.5, 2),
    "epsilon": _float(0, 1), "epsilon_high": _float(0, 1), "delta": _float(0, 100),
    "scale_rewards": Rule("str", pattern=_IDENTIFIER), "mask_truncated_completions": _BOOL,
    "importance_sampling_level": Rule("choice", choices=("token", "sequence")), "normalize_advantages": _BOOL,
    "top_entropy_quantile": _float(0, 1), "use_bias_correction_kl": _BOOL,
    # PPO (the studio's own trainer)
    "num_ppo_epochs": _int(1, 4), "num_mini_batches": _int(1, 8), "kl_coef": _float(0, 10),
    "kl_estimator": Rule("choice", choices=("k1", "k3")), "target_kl": _float(0, 100), "kl_horizon": _int(1, 10**6),
    "cliprange": _float(0, 1), "cliprange_value": _float(0, 10), "vf_coef": _float(0, 10), "gamma": _float(0, 1),
    "lam": _float(0, 1), "whiten_rewards": _BOOL, "value_learning_rate": _float(0, 1),
    "local_rollout_forward_batch_size": _int(1, 64), "missing_eos_penalty": _float(-100, 100),
}
# Studio keys whose only shared-mode value is "off".
_OFF_IN_SHARED = {"reward_custom_file": "", "reward_custom_funcs": []}


@dataclass(frozen=True)
class SharedPolicy:
    enabled: bool
    runs_dir: Path
    samples_dir: Path
    trusted_model: str = ""  # the model the operator started the app with (`--model`) is always allowed
    limits: SharedLimits = SharedLimits()

    def read_limits(self) -> dict:
        """inspect_dataset's bounds on what a file may expand to (bytes and rows) under this policy."""
        return {"max_bytes": self.max_upload_bytes, "max_rows": self.max_rows}

    @property
    def max_upload_bytes(self) -> int:
        return self.limits.upload_bytes if self.enabled else MAX_FILE_BYTES

    @property
    def max_rows(self) -> int | None:
        return self.limits.rows if self.enabled else None

    def _inside(self, path: Path, *roots: Path) -> bool:
        resolved = path.expanduser().resolve()
        return any(resolved == root.resolve() or root.resolve() in resolved.parents for root in roots)

    def check_dataset(self, value: str) -> None:
        if not self.enabled:
            return
        from .training.spec import resolve_path

        if not isinstance(value, str) or len(value) > 4096 or \
                not self._inside(resolve_path(value), self.runs_dir / "uploads", self.samples_dir,
                                 self.runs_dir / ".feedback"):  # the Feedback tab's exports of what people chose
            raise ValueError("In shared mode a run can only use datasets uploaded on the Data tab, collected on the "
                             "Feedback tab or the bundled samples, not other files on this server.")

    def check_model(self, name: str, field: str = "model_name_or_path") -> None:
        """In shared mode: the operator's model, the bundled one, a hub id, or an earlier run's folder here."""
        if not self.enabled:
            return
        from .models import BUNDLED_MODEL

        if not isinstance(name, str):
            raise ValueError(f"{field} must be a model name; got {brief(name)}.")
        if name in (self.trusted_model, BUNDLED_MODEL) and name:
            return
        path = Path(name).expanduser()
        looks_local = name.startswith((".", "/", "~")) or path.exists()
        if looks_local:
            resolved = path.resolve()
            if resolved.parent != self.runs_dir.resolve() or not (resolved / "status.json").is_file():
                raise ValueError("In shared mode the model is the bundled one, a hub id, or an earlier run here; "
                                 "folders elsewhere on this server are off limits.")
            return
        if not _HUB_ID.match(name):
            raise ValueError(f"{field} must be the bundled model, a Hugging Face hub id like org/name, or an "
                             f"earlier run's folder here; got {brief(name)}.")

    def check_config(self, values: dict) -> None:
        """A flat config (preset keys) against the allowlist; raises naming the first field that isn't allowed."""
        if not self.enabled:
            return
        found = secret_keys(values)
        if found:
            raise ValueError(f"The config holds a credential ({', '.join(found)}); in shared mode no token goes "
                             "into a config. Remove it: a push asks for your token on the Deploy panel, once.")
        for key, value in values.items():
            if key in ("method", "dataset", "model_name_or_path", "reward_model"):
                continue
            if key == "report_to" and value in (None, "", "none", [], ["none"]):
                continue  # no tracker: what a shared studio runs anyway
            if key in _OFF_IN_SHARED:
                if value not in (None, "", []):
                    raise ValueError("Custom reward code is off in shared mode.")
                continue
            rule = SHARED_FIELDS.get(key)
            if rule is None:
                raise ValueError(f"In shared mode the field '{brief(key, 40)[1:-1]}' can't be set: a visitor may "
                                 "change training settings (steps, learning rate, batch, lengths, β, LoRA, "
                                 "generations, rewards), not where files, code or credentials come from. "
                                 "Remove it.")
            if key == "max_steps" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"In shared mode a run needs a step budget: set max_steps between 1 and "
                                 f"{self.limits.max_steps}.")
            rule.check(key, value, self.limits.max_steps if key == "max_steps" else None)
            if key == "reward_regex" and value:
                try:
                    re.compile(value)
                except re.error as exc:
                    raise ValueError(f"reward_regex is not a valid regular expression: {exc}.") from None

    def check_spec(self, spec) -> None:
        """Everything in a config that could reach outside the studio's own files or past its budgets."""
        if not self.enabled:
            return
        self.check_config(spec.to_flat())
        if not isinstance(spec.training.get("max_steps"), int) or spec.training["max_steps"] < 1:
            raise ValueError(f"In shared mode a run needs a step budget: set max_steps between 1 and "
                             f"{self.limits.max_steps}.")
        self.check_dataset(spec.dataset)
        self.check_model(spec.model_name)
        if spec.extras.get("reward_model"):
            self.check_model(str(spec.extras["reward_model"]), "reward_model")

    def check_run_dir(self, value: str | Path) -> Path:
        """A run folder named by the page: in shared mode it must be one directly under the runs folder (not a
        link to somewhere else)."""
        value = str(value)
        # The page names runs by their folder's name (no server path in the page); a path works too.
        path = self.runs_dir / value if value and "/" not in value and value not in (".", "..") else \
            Path(value).expanduser()
        if self.enabled:
            if path.is_symlink() or (path.parent.resolve() == self.runs_dir.resolve() and
                                     (self.runs_dir / path.name).is_symlink()):
                raise ValueError("That is not a run of this studio.")
            resolved = path.resolve()
            if resolved.parent != self.runs_dir.resolve() or not (resolved / "status.json").is_file():
                raise ValueError("That is not a run of this studio.")
            return resolved
        return path

    def check_owner(self, run_owner: str, owner: str) -> None:
        """In shared mode a visitor changes only their own runs; runs made by the CLI belong to nobody."""
        if self.enabled and (not owner or run_owner != owner):
            raise ValueError(NOT_YOURS)

    def check_output_dir(self, value: str) -> Path:
        """Where an export may go: anywhere locally; in shared mode only a plain name under runs/exports/."""
        if not self.enabled:
            return Path(value).expanduser()
        name = value.strip()
        if not _SAFE_NAME.match(name) or name in (".", ".."):
            raise ValueError("In shared mode give a plain folder name (letters, digits, '.', '_' or '-'); the "
                             "export goes under the runs folder's exports/.")
        return self.runs_dir / "exports" / name

    def safe_upload_name(self, name: str) -> str:
        """An uploaded file's name reduced to a safe base name (no folders, no leading dots)."""
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".") or "upload"
        return base[:100]

    def shown_path(self, value: str | Path) -> str:
        """A path as a visitor may see it: in shared mode relative to the runs folder or the project, else its
        name; on your own machine as it is."""
        if not self.enabled:
            return str(value)
        return scrub_paths(str(value), self.runs_dir)


# Disk quotas ------------------------------------------------------------------------------------------------

def folder_bytes(path: Path) -> int:
    """The bytes of the files under `path`, a linked file counted at its target's size: a Hugging Face cache
    snapshot is links to its blobs, and it weighs what they weigh."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:  # a dangling link
                pass
    return total


def keep_newest(folder: Path, count: int) -> None:
    """Delete all but the `count` newest entries of `folder` (small files a visitor can make many of)."""
    if not folder.is_dir():
        return
    entries = sorted(folder.iterdir(), key=lambda p: p.lstat().st_mtime, reverse=True)
    for entry in entries[max(0, count - 1):]:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def make_room(folder: Path, wanted: int, quota: int, keep: set[Path] = frozenset()) -> None:
    """Delete the oldest entries of `folder` until `wanted` more bytes fit under `quota`; ValueError when even
    an empty folder could not hold them. `keep`: entries in use (a queued run's dataset, say)."""
    if wanted > quota:
        raise ValueError(f"That needs {wanted / 2**20:,.0f} MB, more than this shared studio keeps "
                         f"({quota / 2**20:,.0f} MB).")
    folder.mkdir(parents=True, exist_ok=True)
    entries = sorted(folder.iterdir(), key=lambda p: p.lstat().st_mtime)
    sizes = {p: (folder_bytes(p) if p.is_dir() and not p.is_symlink() else p.lstat().st_size) for p in entries}
    used = sum(sizes.values())
    keep = {Path(p).resolve() for p in keep}
    for entry in entries:
        if used + wanted <= quota:
            return
        if entry.resolve() in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        used -= sizes[entry]
    if used + wanted > quota:
        raise ValueError("This shared studio's disk space for that is in use right now; try again later.")


# Messages shown to visitors ------------------------------------------------------------------------------------

_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[\w.@%+=~-]+/)*[\w.@%+=~-]+/?")


def scrub_paths(text: str, runs_dir: Path | None = None) -> str:
    """Server paths out of a message: under the runs folder → runs/…, under the project → relative, other
    absolute paths → their last part."""
    from .training.spec import PROJECT_ROOT

    roots = [(Path(runs_dir).resolve(), "runs")] if runs_dir else []
    roots.append((PROJECT_ROOT, ""))

    def replace(match: re.Match) -> str:
        found = match.group(0)
        for root, label in roots:
            prefix = str(root)
            if found == prefix or found.startswith(prefix + "/"):
                rest = found[len(prefix):].lstrip("/")
                return "/".join(p for p in (label, rest) if p) or "."
        return "…/" + found.rstrip("/").rsplit("/", 1)[-1]

    return _ABSOLUTE_PATH.sub(replace, text)
