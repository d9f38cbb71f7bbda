"""Will it fit? Peak memory and time per step of a run, estimated before it starts and corrected by a probe.

`estimate(spec)` reads the model's config.json (the bundled checkpoint, a local folder, an earlier run's folder,
or the Hub where it is reachable; else a size the user types, like "7B") and the run's settings (method, LoRA,
QLoRA or full, batch, lengths, accumulation, generations), measures the data's token lengths where it can, and
returns a `Plan`: the peak memory broken down into what holds it —

    weights            the policy's weights (fp32 on a CPU, bf16 on a GPU, 4-bit with QLoRA) and the LoRA adapter
    reference          a frozen copy for DPO/KTO/PPO without LoRA; with LoRA the adapter switched off (0)
    reward model       a reward model an online method scores with (GRPO, PPO)
    value model        PPO's value head
    gradients          of the trainable parameters (the LoRA adapter, or every weight in full fine-tuning)
    optimizer state    AdamW: two states per trainable parameter
    activations        kept for the backward pass: sequences × tokens × layers × a per-architecture factor
    logits             tokens × vocabulary in fp32, a few copies (what dominates small models with big vocabularies)
    generation cache   the KV cache of online RL's generation batch
    runtime            the Python process with torch, transformers and TRL (CPU), or the CUDA context (GPU)

— the time per step on this machine (FLOPs, ~6·N per trained token and 2·N per generated one, over a throughput
measured here in half a second, plus the per-operation overhead that dominates small models on a CPU), a verdict
("fits", "tight" or "won't fit") against the GPU's free memory or the RAM available, and what to change, each
change estimated again so it says how much it saves.

Every run records its estimate when it starts and its measured training peak and step time when training ends
(`record_estimate`, `record_measurement`: status.json keys `estimated_peak_mb`, `estimated_step_s`,
`measured_peak_mb`, `measured_step_s`, called from training/execute.py). The measurement becomes this machine's
correction for the same model family, method and mode, kept in `<runs>/.planner/calibration.json` and applied to
later estimates: a factor on the modelled parts (activations, logits, generation cache; weights and optimizer
state are counted, not modelled) and one on the step time. A probe (`probe_spec`, `run_probe`: the same config for
PROBE_STEPS steps on the data's longest rows, no checkpoints, no verdict) is an ordinary run made for that, so it
meets the worst batch a whole run would. No gradio here; torch, transformers and TRL are imported inside the
functions.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MB = 2**20
GB = 2**30
HUB_TIMEOUT_S = 4.0  # reading a hub model's config.json: after this long the Hub counts as unreachable
HUB_ENDPOINT: str | None = None  # None: huggingface_hub's own (HF_ENDPOINT)
PROBE_STEPS = 4  # the first two steps warm up; the others give the step time
MAX_CONFIG_BYTES = 1_000_000  # a model's config.json is a few KB; one from the Hub over this is refused
PROBE_SCAN_ROWS = 20_000  # rows a probe looks through for the longest ones
FIT_SHARE = 0.85  # a peak above this share of the free memory is "tight" (allocator slack, other processes)
CALIBRATION_DIR = ".planner"  # under the runs folder: this machine's corrections

# Bytes kept per token per layer for the backward pass, in units of the activation dtype: A_HIDDEN × hidden +
# A_INTER × intermediate (norm inputs and statistics, attention in/out, residuals, the MLP's gate/up/act/product).
# Fitted to the bundled model's CPU runs (a reward model's, which has no vocabulary logits, gives the activations
# alone); full fine-tuning also keeps the frozen projections' inputs for their weight gradients. The probe corrects
# the rest per model family and method.
A_HIDDEN = {"full": 11.0, "lora": 8.0}
A_INTER = {"full": 3.0, "lora": 2.0}
# fp32-sized copies of tokens × vocabulary held at the peak: the logits, the shifted copy, log-softmax, the
# gradients of each, and on a CPU the allocator's freed-but-kept blocks of the same size (fitted: about 9 there).
LOGIT_COPIES = {"cpu": 9.0, "cuda": 5.0}
QLORA_BYTES = 0.5 + 4 / 64  # NF4: half a byte per weight plus one fp32 scale per block of 64
CPU_RUNTIME_MB = 560.0  # a training process with torch, transformers, TRL and datasets imported (before the model)
CUDA_CONTEXT_MB = 500.0  # the CUDA context and kernels: not in torch's allocated memory, but on the GPU
GPU_SLACK = 0.05  # the caching allocator's fragmentation on a GPU
STEP_OVERHEAD_S = 0.15  # the trainer's own per-step work: logging, callbacks, status.json, collation
TRAIN_EFFICIENCY = 0.7  # share of the measured matmul throughput a training step's matmuls reach
FORWARD_EFFICIENCY = 0.8  # …a no-grad forward's
OPS_PER_LAYER = {"small_mm": 7, "elementwise": 22}  # a decoder layer's operations in one decoding step
# Elementwise operations big enough to be split across threads, per layer per micro-batch (forward + backward):
# each waits for every thread, which costs microseconds on a quiet machine and a scheduler slice (milliseconds)
# when other processes hold the cores; measured as `parallel_op_s`. Fitted to the bundled model's CPU runs.
TRAIN_PARALLEL_OPS_PER_LAYER = 40
FORWARD_PARALLEL_OPS_PER_LAYER = 13
ASSUMED_GPU = {"flops": 200e12, "bandwidth": 1.0e12, "small_mm_s": 15e-6, "elementwise_s": 8e-6,
               "parallel_op_s": 10e-6}

UNCERTAIN = ("activations", "logits", "generation cache")  # modelled, so corrected; the rest is counted
COMPONENTS = ("weights", "reference", "reward model", "value model", "gradients", "optimizer state", "activations",
              "logits", "generation cache", "runtime")
NONGATED = {"gpt2", "gpt_neo", "gptj", "gpt_neox", "opt", "bloom", "falcon", "phi", "starcoder2", "gpt_bigcode",
            "mpt", "codegen", "bert", "roberta"}
UNTIED_BY_DEFAULT = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi3", "olmo",
                     "olmo2", "granite", "cohere", "deepseek_v3", "internlm2", "falcon"}


# The model ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelShape:
    """What the estimate needs from a model's config.json."""

    name: str
    source: str  # where the shape came from, in words
    model_type: str
    hidden: int
    layers: int
    intermediate: int
    vocab: int
    heads: int
    kv_heads: int
    head_dim: int
    tied: bool = True
    gated: bool = True
    experts: int = 1
    active_experts: int = 1
    expert_intermediate: int = 0
    assumed: bool = False  # a typical shape for a typed size, not the model's own

    @property
    def q_dim(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    def layer_linears(self) -> dict[str, list[tuple[int, int]]]:
        """Per layer: each linear module's (in, out) under every name a LoRA target may use."""
        h, i = self.hidden, self.expert_intermediate or self.intermediate
        attn = {"q_proj": [(h, self.q_dim)], "k_proj": [(h, self.kv_dim)], "v_proj": [(h, self.kv_dim)],
                "o_proj": [(self.q_dim, h)]}
        if self.gated:
            mlp = {"gate_proj": [(h, i)] * self.experts, "up_proj": [(h, i)] * self.experts,
                   "down_proj": [(i, h)] * self.experts}
        else:
            mlp = {"up_proj": [(h, i)] * self.experts, "down_proj": [(i, h)] * self.experts}
        names = {**attn, **mlp}
        # Other architectures' names for the same matrices.
        names.update({"c_attn": [(h, self.q_dim + 2 * self.kv_dim)], "query_key_value": [(h, self.q_dim + 2 *
                                                                                             self.kv_dim)],
                      "qkv_proj": [(h, self.q_dim + 2 * self.kv_dim)], "Wqkv": [(h, self.q_dim + 2 * self.kv_dim)],
                      "dense": [(self.q_dim, h)], "out_proj": [(self.q_dim, h)],
                      "c_fc": mlp["up_proj"], "fc1": mlp["up_proj"], "dense_h_to_4h": mlp["up_proj"],
                      "fc2": mlp["down_proj"], "dense_4h_to_h": mlp["down_proj"], "c_proj": [(self.q_dim, h)] +
                      mlp["down_proj"], "w1": mlp.get("gate_proj", mlp["up_proj"]), "w3": mlp["up_proj"],
                      "w2": mlp["down_proj"],
                      "gate_up_proj": [(h, 2 * i)] * self.experts if self.gated else mlp["up_proj"]})
        return names

    def _layer_matrices(self) -> list[tuple[int, int]]:
        names = self.layer_linears()
        keys = ["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"] + (["gate_proj"] if self.gated
                                                                                    else [])
        return [dims for key in keys for dims in names[key]]

    @property
    def linear_params(self) -> int:
        """Weights of the decoder layers' linear modules (what 4-bit quantizes), all experts."""
        router = self.hidden * self.experts if self.experts > 1 else 0
        return self.layers * (sum(a * b for a, b in self._layer_matrices()) + router)

    @property
    def params(self) -> int:
        embed = self.vocab * self.hidden
        head = 0 if self.tied else self.vocab * self.hidden
        norms = self.layers * 2 * self.hidden + self.hidden
        return embed + head + self.linear_params + norms

    @property
    def active_body_params(self) -> int:
        """The layers' weights one token passes through (MoE: the experts it is routed to)."""
        if self.experts <= 1:
            return self.linear_params
        per_expert = self.layers * (3 if self.gated else 2) * self.hidden * (self.expert_intermediate or
                                                                             self.intermediate)
        dense = self.linear_params - per_expert * self.experts
        return dense + per_expert * self.active_experts

    def lora_params(self, rank: int, targets) -> tuple[int, list[str]]:
        """Trainable LoRA parameters for `targets` (names, "all-linear", or None for PEFT's default q/v), and the
        names that match no module of this architecture."""
        names = self.layer_linears()
        if targets in (None, "", []):
            targets = ["q_proj", "v_proj"]
        if targets == "all-linear" or targets == ["all-linear"]:
            chosen = [dims for dims in self._layer_matrices()]
            unknown = []
        else:
            targets = [targets] if isinstance(targets, str) else list(targets)
            chosen, unknown = [], []
            for target in targets:
                if target in names:
                    chosen += names[target]
                else:
                    unknown.append(str(target))
        return self.layers * sum(rank * (a + b) for a, b in chosen), unknown

    @property
    def family(self) -> str:
        return f"{self.model_type}-{human_count(self.params)}"

    def describe(self) -> str:
        experts = f", {self.experts} experts ({self.active_experts} active)" if self.experts > 1 else ""
        return (f"{self.model_type}, {human_count(self.params)} parameters ({self.layers} layers, hidden "
                f"{self.hidden}, vocabulary {self.vocab:,}{experts}); {self.source}")


def _first(config: dict, *names, default=None):
    for name in names:
        value = config.get(name)
        if value not in (None, 0, ""):
            return value
    return default


def shape_from_config(config: dict, name: str, source: str) -> ModelShape:
    """A ModelShape from a config.json's fields (Llama-, Qwen-, Mistral-, Gemma-, Phi- and GPT-2-style names)."""
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}
    cfg = {**config, **text}
    model_type = str(cfg.get("model_type") or "unknown")
    hidden = _first(cfg, "hidden_size", "n_embd", "d_model", "dim")
    layers = _first(cfg, "num_hidden_layers", "n_layer", "num_layers", "n_layers")
    vocab = _first(cfg, "vocab_size", "padded_vocab_size")
    if not (isinstance(hidden, int) and isinstance(layers, int) and isinstance(vocab, int)):
        raise ValueError(f"the config of {name} lacks hidden_size, num_hidden_layers or vocab_size; type the model's "
                         "size (e.g. 7B) to estimate from a typical model of that size.")
    heads = int(_first(cfg, "num_attention_heads", "n_head", "num_heads", default=max(1, hidden // 64)))
    kv = _first(cfg, "num_key_value_heads", "num_kv_heads", "n_head_kv")
    if kv is None:
        kv = 1 if cfg.get("multi_query") else heads
    head_dim = int(_first(cfg, "head_dim", default=hidden // heads))
    intermediate = int(_first(cfg, "intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size", default=4 * hidden))
    experts = int(_first(cfg, "num_local_experts", "num_experts", "n_routed_experts", default=1))
    active = int(_first(cfg, "num_experts_per_tok", "moe_top_k", "top_k", default=1 if experts == 1 else 2))
    expert_inter = int(_first(cfg, "moe_intermediate_size", default=0)) if experts > 1 else 0
    tied = config.get("tie_word_embeddings", cfg.get("tie_word_embeddings"))
    if tied is None:
        tied = model_type not in UNTIED_BY_DEFAULT
    return ModelShape(name=name, source=source, model_type=model_type, hidden=int(hidden), layers=int(layers),
                      intermediate=intermediate, vocab=int(vocab), heads=heads, kv_heads=int(kv), head_dim=head_dim,
                      tied=bool(tied), gated=model_type not in NONGATED, experts=max(1, experts),
                      active_experts=max(1, min(active, experts)), expert_intermediate=expert_inter)


# Typical decoder shapes by size (hidden, layers, intermediate, vocabulary, heads, kv heads): a typed size takes the
# nearest one, with its layer count scaled to the size.
TYPICAL_SHAPES = [
    (576, 30, 1536, 49152, 9, 3), (960, 32, 2560, 49152, 15, 5), (896, 24, 4864, 151936, 14, 2),
    (2048, 16, 8192, 128256, 32, 8), (1536, 28, 8960, 151936, 12, 2), (3072, 28, 8192, 128256, 24, 8),
    (4096, 32, 14336, 128256, 32, 8), (5120, 40, 13824, 32000, 40, 40), (5120, 48, 13824, 152064, 40, 8),
    (5120, 64, 27648, 152064, 40, 8), (8192, 80, 28672, 128256, 64, 8),
]


def parse_size(text) -> int:
    """'7B', '1.5b', '360M', '135m', '7e9', 7000000000 → parameters."""
    if isinstance(text, (int, float)) and not isinstance(text, bool) and text > 0:
        return int(text)
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmbt]?)\s*(?:params?|parameters)?\s*",
                         str(text or "").lower())
    if not match:
        raise ValueError(f"model size '{text}' is not a size like 7B, 1.5B or 360M.")
    value = float(match.group(1)) * {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[match.group(2)]
    if value < 1e6:
        raise ValueError(f"model size '{text}' is under a million parameters; write it like 7B, 1.5B or 360M.")
    return int(value)


def shape_from_size(size, name: str = "the model") -> ModelShape:
    """A typical decoder of about `size` parameters (the nearest known shape, its depth scaled)."""
    wanted = parse_size(size)
    best = None
    for hidden, layers, inter, vocab, heads, kv in TYPICAL_SHAPES:
        shape = ModelShape(name, "", "llama", hidden, layers, inter, vocab, heads, kv, hidden // heads, tied=False)
        distance = abs(math.log(shape.params / wanted))
        if best is None or distance < best[0]:
            best = (distance, shape)
    shape = best[1]
    per_layer = (shape.params - shape.vocab * shape.hidden * 2) / shape.layers
    layers = max(1, round((wanted - shape.vocab * shape.hidden * 2) / per_layer))
    return dataclasses.replace(shape, layers=layers, assumed=True,
                               source=f"a typical model of {human_count(wanted)} parameters (its own config.json "
                                      "could not be read)")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _hub_config(repo: str, timeout: float = HUB_TIMEOUT_S) -> tuple[dict, str]:
    """config.json of a hub model: from the HF cache, else one request that gives up after `timeout` seconds."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url, try_to_load_from_cache

    cached = try_to_load_from_cache(repo, "config.json")
    if isinstance(cached, str) and os.path.isfile(cached):
        return json.loads(Path(cached).read_text(encoding="utf-8")), "config.json from the Hugging Face cache"
    if _offline():
        raise ValueError(f"The config of '{repo}' is not in the Hugging Face cache and the Hub is off here "
                         "(HF_HUB_OFFLINE); type the model's size (e.g. 7B) to estimate from it.")
    from .limits import shared_mode

    token = {"token": False} if shared_mode() else {}
    found: dict = {}

    def fetch():
        try:
            # Its size first: a config.json is a few KB, and a repo's file of any size would otherwise be
            # downloaded and parsed whole here (in a shared studio, by whoever typed the repo's name).
            url = hf_hub_url(repo, "config.json", endpoint=HUB_ENDPOINT)
            size = get_hf_file_metadata(url, timeout=timeout, endpoint=HUB_ENDPOINT, **token).size
            if size is not None and size > MAX_CONFIG_BYTES:
                found["too_big"] = size
                return
            found["path"] = hf_hub_download(repo, "config.json", etag_timeout=timeout, endpoint=HUB_ENDPOINT, **token)
        except Exception as exc:  # offline, unknown, gated: said below in one sentence
            found["error"] = exc

    worker = threading.Thread(target=fetch, name="planner-hub-config", daemon=True)
    worker.start()
    worker.join(timeout)  # the library retries for half a minute when offline; the planner doesn't wait for that
    if "too_big" in found:
        raise ValueError(f"The config.json of '{repo}' on the Hub holds {found['too_big']:,} bytes, not a model's "
                         f"config (at most {MAX_CONFIG_BYTES:,}); type the model's size (e.g. 7B) to estimate from it.")
    if "path" in found:
        return json.loads(Path(found["path"]).read_text(encoding="utf-8")), "config.json from the Hugging Face Hub"
    error = found.get("error")
    name = type(error).__name__ if error is not None else ""
    if "RepositoryNotFound" in name or "404" in str(error or "")[:300]:
        raise ValueError(f"'{repo}' is not a model on the Hugging Face Hub (or it is private); check the spelling, "
                         "or type the model's size (e.g. 7B) to estimate from it.")
    if "Gated" in name or "401" in str(error or "")[:300]:
        raise ValueError(f"'{repo}' is gated on the Hub; log in to read its config, or type the model's size (e.g. "
                         "7B) to estimate from it.")
    raise ValueError(f"The Hugging Face Hub could not be reached within {timeout:.0f} s to read the config of "
                     f"'{repo}'; type the model's size (e.g. 7B) to estimate from it.")


def read_model_config(name: str | None, depth: int = 0) -> tuple[dict, str]:
    """(config.json as a dict, where it came from) for any model name the studio accepts. Never downloads weights.
    Raises ValueError in one sentence when it can't be had."""
    from .models import BUNDLED_HUB_ID, BUNDLED_MODEL, _HUB_ID, bundled_gguf, resolve_model

    name = (name or BUNDLED_MODEL).strip()
    if name == BUNDLED_MODEL:
        if bundled_gguf() is None:
            return _hub_config(BUNDLED_HUB_ID)
        path = Path(resolve_model(name)) / "config.json"  # the converted checkpoint (made once, then cached)
        return json.loads(path.read_text(encoding="utf-8")), "config.json of the bundled checkpoint"
    local = Path(name).expanduser()
    if local.is_dir():
        from .training.runs import RunFolder

        run = RunFolder(local)
        for candidate in (run.adapter / "config.json", run.merged / "config.json", local / "config.json"):
            if candidate.is_file():
                return json.loads(candidate.read_text(encoding="utf-8")), f"config.json in {candidate.parent.name}/"
        if run.config.is_file() and depth < 5:  # an earlier run saved as an adapter: its base model's shape
            config, source = read_model_config(run.base_model, depth + 1)
            return config, f"{source} (the base of run {run.name})"
        raise ValueError(f"The folder {local} holds no config.json (not a checkpoint, nor a run with a model).")
    if not _HUB_ID.match(name):
        raise ValueError(f"'{name}' is neither a folder on this machine nor a hub id like 'org/model'.")
    return _hub_config(name)


def model_shape(name: str | None, size=None) -> ModelShape:
    """The model's shape from its config.json; when that can't be read and `size` is given, a typical shape of
    that size (the reason kept in its source)."""
    from .models import BUNDLED_MODEL

    name = (name or BUNDLED_MODEL).strip()
    try:
        config, source = read_model_config(name)
        return shape_from_config(config, name, source)
    except ValueError as exc:
        if size in (None, ""):
            raise
        shape = shape_from_size(size, name)
        return dataclasses.replace(shape, source=f"{shape.source}: {str(exc).split(';')[0]}")


# The data's lengths --------------------------------------------------------------------------------------------

@dataclass
class Lengths:
    """Token lengths of (a sample of) the training rows, as the method's trainer renders them."""

    prompt: list[int]
    completion: list[int]  # preference rows: the longer answer
    source: str

    @property
    def total(self) -> list[int]:
        return [p + c for p, c in zip(self.prompt, self.completion)]


_lengths_cache: dict[tuple, Lengths | None] = {}
_lengths_lock = threading.Lock()
LENGTH_SAMPLE_ROWS = 256


def _tokenizer_path(name: str) -> str | None:
    """A local folder with the model's tokenizer, without downloading anything; None if there is none."""
    from .models import BUNDLED_MODEL, _HUB_ID, bundled_gguf, resolve_model

    if name == BUNDLED_MODEL and bundled_gguf() is not None:
        return resolve_model(name)
    local = Path(name).expanduser()
    if local.is_dir():
        from .training.runs import RunFolder

        run = RunFolder(local)
        for candidate in (run.adapter, run.merged, local):
            if (candidate / "tokenizer_config.json").is_file() or (candidate / "tokenizer.json").is_file():
                return str(candidate)
        return None
    if _HUB_ID.match(name):
        try:
            from huggingface_hub import snapshot_download

            from .models import CODE_FILES

            return snapshot_download(name, allow_patterns=["*.json", "*.model", "*.txt", "*.jinja", "tokenizer*"],
                                     ignore_patterns=CODE_FILES, local_files_only=True)
        except Exception:
            return None
    return None


def data_lengths(spec) -> Lengths | None:
    """The training rows' token lengths with the model's tokenizer and chat template (a sample, cached), or None
    when the data or the tokenizer isn't on this machine."""
    from .methods import get_method

    path = spec.dataset_path()
    if not path.is_file():
        return None
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime, stat.st_size, spec.model_name, spec.method)
    with _lengths_lock:
        if key in _lengths_cache:
            return _lengths_cache[key]
    lengths = None
    try:
        tokenizer_path = _tokenizer_path(spec.model_name)
        if tokenizer_path is not None:
            from .data import inspect_dataset
            from .data.tokens import measure_tokens

            try:
                report, rows = inspect_dataset(path, keep_rows=4 * LENGTH_SAMPLE_ROWS)
            except TypeError:  # an older reader without keep_rows
                report, rows = inspect_dataset(path)
            if rows and report.shape != "unknown":
                stats = measure_tokens(report, rows, spec.model_name, 10**6, sample=LENGTH_SAMPLE_ROWS,
                                       method=spec.method, tokenizer=_load_tokenizer(tokenizer_path),
                                       prepare=get_method(spec.method).prepare_rows)
                if stats.rows_measured:
                    lengths = Lengths(list(stats.prompt_lengths), list(stats.completion_lengths),
                                      f"token lengths of {stats.rows_measured} rows of {path.name}")
    except Exception:  # unreadable data, a broken tokenizer: the estimate falls back to the configured lengths
        lengths = None
    with _lengths_lock:
        _lengths_cache[key] = lengths
    return lengths


_tokenizers: dict[str, object] = {}


def _load_tokenizer(path: str):
    if path not in _tokenizers:
        from .models import load_tokenizer

        _tokenizers[path] = load_tokenizer(path)
    return _tokenizers[path]


# The device -------------------------------------------------------------------------------------------------

@dataclass
class Device:
    """Where the run would train: its kind, precision, free memory and throughput (measured or assumed)."""

    kind: str  # "cpu", "cuda" or "mps"
    name: str
    dtype: str  # "float32", "bfloat16" or "float16"
    available: float  # bytes free for the run
    memory_source: str
    flops: float = 0.0  # matmul FLOP/s
    bandwidth: float = 0.0  # bytes/s
    small_mm_s: float = 0.0  # one small matmul (a decoding step's), seconds
    elementwise_s: float = 0.0  # one small elementwise operation, seconds
    parallel_op_s: float = 0.0  # one elementwise operation split across threads (a training step's), seconds
    throughput_source: str = "assumed"
    here: bool = True  # this machine (False: a machine planned for)

    @property
    def param_bytes(self) -> int:
        return 4 if self.dtype == "float32" else 2

    @property
    def machine_id(self) -> str:
        return f"{self.kind}:{self.name}"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ×{os.cpu_count()}"
    except OSError:
        pass
    import platform

    return f"{platform.processor() or platform.machine()} ×{os.cpu_count()}"


def available_ram() -> float:
    """Bytes of RAM a new process can use now (MemAvailable), for the CPU verdict."""
    try:
        import psutil

        return float(psutil.virtual_memory().available)
    except ImportError:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024
    raise ValueError("could not read the available RAM of this machine.")


THROUGHPUT_KEYS = ("flops", "bandwidth", "small_mm_s", "elementwise_s", "parallel_op_s")
_throughput: dict[str, tuple[float, dict]] = {}
THROUGHPUT_TTL_S = 120.0


def measure_throughput(kind: str = "cpu", budget_s: float = 0.12) -> dict:
    """This device's matmul FLOP/s, copy bandwidth and per-operation times, measured now (about half a second;
    kept two minutes). Under load from other processes the numbers are lower, as the run's would be."""
    cached = _throughput.get(kind)
    if cached and time.time() - cached[0] < THROUGHPUT_TTL_S:
        return cached[1]
    import torch

    device = "cuda" if kind == "cuda" else "cpu"
    dtype = torch.bfloat16 if kind == "cuda" else torch.float32
    sync = torch.cuda.synchronize if kind == "cuda" else (lambda: None)

    def seconds(fn, budget=budget_s, least=3, most=0.6) -> float:
        """The mean time of `fn` over at least `budget` seconds and `least` calls (at most `most` seconds): under
        load one call may wait a scheduler slice and the next none, so only a mean over many says what a run
        of thousands of them pays."""
        fn()
        sync()
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if (elapsed > budget and n >= least) or elapsed > most:
                break
        sync()
        return (time.perf_counter() - start) / n

    size = 4096 if kind == "cuda" else 1024
    a = torch.randn(size // 4 if kind != "cuda" else size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    flops = 2 * a.shape[0] * size * size / seconds(lambda: a @ b)
    x = torch.empty(2**24 if kind != "cuda" else 2**28, device=device, dtype=torch.float32)
    y = torch.empty_like(x)
    bandwidth = 2 * x.numel() * 4 / seconds(lambda: y.copy_(x))
    s, w = torch.randn(8, 576, device=device, dtype=dtype), torch.randn(576, 576, device=device, dtype=dtype)
    small_mm = seconds(lambda: s @ w, least=40)
    e = torch.randn(8, 64, device=device, dtype=dtype)
    elementwise = seconds(lambda: e + e, budget=budget_s / 2, least=100)
    p = torch.randn(512, 512, device=device, dtype=dtype)
    parallel = seconds(lambda: p + p, least=40)
    measured = {"flops": flops, "bandwidth": bandwidth, "small_mm_s": small_mm, "elementwise_s": elementwise,
                "parallel_op_s": parallel}
    _throughput[kind] = (time.time(), measured)
    return measured


def this_machine(measure: bool = True) -> Device:
    """This machine as the run would use it: a GPU's free memory (torch.cuda.mem_get_info), else the RAM."""
    import torch

    if torch.cuda.is_available():
        free, _total = torch.cuda.mem_get_info()
        dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        device = Device("cuda", torch.cuda.get_device_name(0), dtype, float(free),
                        "free GPU memory (torch.cuda.mem_get_info)")
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device = Device("mps", "Apple GPU", "float32", available_ram(), "available RAM (unified memory)")
    else:
        device = Device("cpu", _cpu_name(), "float32", available_ram(), "available RAM")
    if measure:
        measured = measure_throughput("cuda" if device.kind == "cuda" else "cpu")
        for key, value in measured.items():
            setattr(device, key, value)
        device.throughput_source = "measured here"
    return device


def planned_gpu(memory, name: str = "") -> Device:
    """A GPU with `memory` (bytes or '24GB') elsewhere: bf16, with an assumed throughput."""
    free = parse_memory(memory)
    return Device("cuda", name or f"a GPU with {free / GB:.0f} GB", "bfloat16", free, "the memory given",
                  throughput_source="assumed for a recent data-centre GPU", here=False, **ASSUMED_GPU)


def parse_memory(value) -> float:
    """'24GB', '24 GiB', '512MB', 24e9 → bytes (GB read as GiB, as GPU sizes are quoted)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(t|g|m)?i?b?\s*", str(value or "").lower())
    if not match:
        raise ValueError(f"memory '{value}' is not a size like 24GB or 512MB.")
    return float(match.group(1)) * {"t": 2**40, "g": GB, "m": MB, None: GB}[match.group(2)]


# The run's workload ------------------------------------------------------------------------------------------

@dataclass
class Workload:
    """What one optimizer step does, in sequences and tokens (peak lengths for memory, typical ones for time)."""

    grad_seqs: int  # sequences in one forward+backward (a micro-batch)
    seq_len: int  # their padded length at the peak
    logit_len: int  # positions per sequence whose vocabulary logits are computed
    micro_batches: int  # forward+backward passes per optimizer step
    time_seq_len: float  # a typical batch's padded length
    time_logit_len: float
    nograd_seqs: int = 0  # sequences per micro-batch in no-grad forwards (reference, KL batch, old log-probs)
    nograd_chunk: int = 0  # …at most this many at once (PPO's rollout chunks)
    gen_seqs: int = 0  # sequences generated together
    gen_prompt: int = 0
    gen_new: int = 0
    generations_per_step: float = 0.0  # generate() calls per optimizer step
    rollout_forwards: int = 0  # PPO: sequences scored by the policy and the reference per step
    notes: list[str] = field(default_factory=list)


# What methods/common.build_config sets where the preset is silent, over TRL's defaults.
STUDIO_TRAINING_DEFAULTS = {"gradient_checkpointing": False}


def training_values(spec, defaults: dict) -> dict:
    """The method config's values as the run will have them: TRL's defaults, the studio's, the spec's."""
    return {**defaults, **STUDIO_TRAINING_DEFAULTS, **spec.training}


def _config_defaults(method) -> dict:
    try:
        return {f.name: f.default for f in dataclasses.fields(method.config_class())
                if f.default is not dataclasses.MISSING}
    except Exception:  # a config class that can't be imported here: the spec's own values only
        return {}


def _batch_max(values: list[int], batch: int, draws: int = 200) -> float:
    """The expected longest of `batch` rows drawn at random: a batch's padded length."""
    if not values:
        return 0.0
    rng = random.Random(0)
    return statistics.fmean(max(rng.choices(values, k=max(1, batch))) for _ in range(draws))


def workload(spec, method, lengths: Lengths | None, defaults: dict) -> Workload:
    """The sequences and tokens of one step of `spec`'s method."""
    t = training_values(spec, defaults)
    batch = int(t.get("per_device_train_batch_size") or 8)
    accum = int(t.get("gradient_accumulation_steps") or 1)
    max_length = t.get("max_length")
    notes = []
    prompts = lengths.prompt if lengths else []
    totals = lengths.total if lengths else []

    def capped(values, limit):
        return [min(v, limit) for v in values] if limit else list(values)

    if method.online:
        completion = int(t.get("max_completion_length") or 256)
        prompt_limit = t.get("max_prompt_length")
        prompt_values = capped(prompts, prompt_limit) or [int(prompt_limit or 128)]
        if not prompts:
            notes.append(f"prompt length assumed {prompt_values[0]} tokens (the data could not be measured)")
        if method.id == "ppo":
            rollout = batch * accum * int(t.get("num_mini_batches") or 1)
            chunk = min(rollout, int(t.get("local_rollout_forward_batch_size") or 64))
            peak_prompt = max(prompt_values)  # over a run, some rollout batch holds the longest prompt
            seq = peak_prompt + completion
            return Workload(grad_seqs=batch, seq_len=seq, logit_len=completion + 1,
                            micro_batches=int(t.get("num_ppo_epochs") or 4) * int(t.get("num_mini_batches") or 1)
                            * accum, time_seq_len=_batch_max(prompt_values, rollout) + completion,
                            time_logit_len=completion + 1, nograd_seqs=0, nograd_chunk=chunk, gen_seqs=chunk,
                            gen_prompt=int(round(peak_prompt)), gen_new=completion,
                            generations_per_step=math.ceil(rollout / chunk), rollout_forwards=rollout, notes=notes)
        # GRPO-style (GRPO, RLOO): per_device_train_batch_size completions, generated a generation batch at a time
        steps_per_generation = int(t.get("steps_per_generation") or accum)
        generation_batch = int(t.get("generation_batch_size") or batch * steps_per_generation)
        iterations = int(t.get("num_iterations") or 1)
        peak_prompt = max(prompt_values)
        seq = peak_prompt + completion
        beta = float(t.get("beta") if t.get("beta") is not None else (method.beta_default or 0.0))
        old_logps = iterations > 1 or steps_per_generation > accum
        nograd = batch * ((1 if beta > 0 else 0) + (1 if old_logps else 0))
        # TRL's GRPO scores through the model's fused head with labels: it projects every position of the sequence
        # onto the vocabulary, prompt included (measured: the peak follows prompt + completion, not the completion)
        typical = _batch_max(prompt_values, batch) + completion
        return Workload(grad_seqs=batch, seq_len=seq, logit_len=seq, micro_batches=accum,
                        time_seq_len=typical, time_logit_len=typical,
                        nograd_seqs=nograd, nograd_chunk=batch, gen_seqs=generation_batch,
                        gen_prompt=int(round(peak_prompt)), gen_new=completion,
                        generations_per_step=accum / (steps_per_generation * iterations), notes=notes)
    limit = int(max_length) if max_length else None
    if totals:
        peak = max(capped(totals, limit))
        typical = _batch_max(capped(totals, limit), batch)
    else:
        peak = typical = limit or 1024
        notes.append(f"sequence length taken as max_length {peak} (the data could not be measured)")
    paired = "preference" in method.shapes and method.id not in ("kto",)
    seqs = 2 * batch if paired else batch
    logits = 1 if method.model_kind == "sequence_classification" else peak
    time_logits = 1 if method.model_kind == "sequence_classification" else typical
    nograd = 0
    if _needs_reference(method, t):
        nograd += seqs  # the reference's forward on the same sequences
    if method.id == "kto":
        nograd += 2 * batch  # the KL batch (mismatched prompt/answer) through policy and reference, no grad
    return Workload(grad_seqs=seqs, seq_len=int(peak), logit_len=int(logits), micro_batches=accum,
                    time_seq_len=typical, time_logit_len=time_logits, nograd_seqs=nograd, nograd_chunk=seqs,
                    notes=notes)


def _needs_reference(method, training: dict) -> bool:
    need = str(method.needs_reference_model).lower()
    if need.startswith("yes"):
        return True
    if need.startswith("optional"):
        beta = training.get("beta", method.beta_default)
        return bool(beta) and float(beta) > 0
    return False


# The estimate -------------------------------------------------------------------------------------------------

@dataclass
class Suggestion:
    """One change to the config, estimated again."""

    change: dict  # config keys → new values
    text: str  # what it is, in words
    peak: float  # bytes after the change
    saves: float  # bytes saved
    step_s: float
    verdict: str

    def to_dict(self) -> dict:
        return {"change": self.change, "text": self.text, "peak_mb": round(self.peak / MB, 1),
                "saves_mb": round(self.saves / MB, 1), "step_s": round(self.step_s, 3), "verdict": self.verdict}


@dataclass
class Plan:
    """An estimate of one run's peak memory and time per step on one device, with its verdict."""

    model: str
    method: str
    mode: str  # "full", "lora" or "qlora"
    shape: ModelShape
    device: Device
    components: dict[str, float]  # bytes at the peak, in COMPONENTS order; they sum to `peak`
    notes: dict[str, str]  # how each component was reckoned
    step_parts: dict[str, float]  # seconds per optimizer step, by part
    trainable: int
    peak_phase: str
    raw_certain: float  # the uncorrected weights, copies, gradients and optimizer state (counted, not modelled)
    raw_uncertain: float  # …and activations, logits and generation cache (modelled: what corrections scale)
    raw_step_s: float
    correction: dict | None = None  # {"peak": factor, "time": factor, "run": id, …} when one was applied
    suggestions: list[Suggestion] = field(default_factory=list)
    workload_notes: list[str] = field(default_factory=list)
    lengths_source: str = ""
    step_inputs: tuple = field(default=(), repr=False)  # what _step_time took, to reckon it again corrected

    @property
    def peak(self) -> float:
        return sum(self.components.values())

    @property
    def measurable_peak(self) -> float:
        """What the run's own measure will read: RSS on a CPU (runtime included); on a GPU torch's allocated
        memory, which leaves out the CUDA context and the allocator's slack."""
        return self.peak - (self.components["runtime"] if self.device.kind == "cuda" else 0.0)

    @property
    def step_s(self) -> float:
        return sum(self.step_parts.values())

    @property
    def verdict(self) -> str:
        return verdict_for(self.peak, self.device.available)

    def to_dict(self) -> dict:
        return {"model": self.model, "method": self.method, "mode": self.mode, "shape": self.shape.describe(),
                "family": self.shape.family, "params": self.shape.params, "trainable": self.trainable,
                "device": self.device.kind, "device_name": self.device.name, "dtype": self.device.dtype,
                "peak_mb": round(self.peak / MB, 1), "measurable_peak_mb": round(self.measurable_peak / MB, 1),
                "available_mb": round(self.device.available / MB, 1), "memory_source": self.device.memory_source,
                "verdict": self.verdict, "peak_phase": self.peak_phase,
                "components_mb": {k: round(v / MB, 1) for k, v in self.components.items()}, "notes": self.notes,
                "step_s": round(self.step_s, 3), "step_parts_s": {k: round(v, 3) for k, v in self.step_parts.items()},
                "throughput": {"flops": self.device.flops, "bandwidth": self.device.bandwidth,
                               "small_mm_s": self.device.small_mm_s, "elementwise_s": self.device.elementwise_s,
                               "parallel_op_s": self.device.parallel_op_s,
                               "source": self.device.throughput_source},
                "correction": self.correction, "lengths": self.lengths_source, "assumptions": self.workload_notes,
                "suggestions": [s.to_dict() for s in self.suggestions]}


def verdict_for(peak: float, available: float) -> str:
    if peak <= FIT_SHARE * available:
        return "fits"
    if peak <= available:
        return "tight"
    return "won't fit"


def peft_mode(spec) -> str:
    if spec.model.get("load_in_4bit") or spec.model.get("load_in_8bit"):
        return "qlora"
    return "lora" if spec.model.get("use_peft", True) else "full"


def _reward_model_shape(spec, fallback: ModelShape, size=None) -> tuple[ModelShape | None, str]:
    name = str(spec.extras.get("reward_model") or "").strip()
    if not name:
        return None, ""
    try:
        return model_shape(name), f"reward model {name}"
    except ValueError as exc:
        return fallback, f"reward model {name}: its config could not be read ({exc}); taken as the policy's size"


def estimate(spec, device: Device | None = None, runs_dir: Path | None = None, model_size=None,
             lengths: Lengths | None | bool = True, correct: bool = True, suggest: bool = True,
             shape: ModelShape | None = None) -> Plan:
    """The Plan for `spec` on `device` (default: this machine, its throughput measured now).

    `lengths`: True measures the data (when it and the tokenizer are here), None uses the configured lengths,
    or pass a Lengths. `correct`: apply this machine's stored correction (from `runs_dir`, default the studio's
    runs folder). `model_size` ('7B'): used when the model's config.json can't be read. Raises ValueError with
    a sentence the user can act on."""
    from .methods import get_method

    method = get_method(spec.method)
    shape = shape or model_shape(spec.model_name, model_size)
    device = device or this_machine()
    if lengths is True:
        lengths = data_lengths(spec)
    elif lengths is False:
        lengths = None
    defaults = _config_defaults(method)
    plan = _estimate(spec, method, shape, device, lengths, defaults)
    plan.lengths_source = lengths.source if lengths else ""
    if correct:
        _apply_correction(plan, load_calibration(runs_dir), spec)
    if suggest:
        plan.suggestions = suggestions(plan, spec, method, shape, device, lengths, defaults,
                                       load_calibration(runs_dir) if correct else None)
    return plan


def _estimate(spec, method, shape: ModelShape, device: Device, lengths: Lengths | None, defaults: dict) -> Plan:
    t = training_values(spec, defaults)
    mode = peft_mode(spec)
    wl = workload(spec, method, lengths, defaults)
    pb = device.param_bytes
    act_bytes = pb
    settings = {**spec.model, **method.model_overrides}
    components = dict.fromkeys(COMPONENTS, 0.0)
    notes: dict[str, str] = {}
    P = shape.params
    seq_cls = method.model_kind == "sequence_classification"
    if seq_cls and not shape.tied:
        P = P - shape.vocab * shape.hidden + shape.hidden  # the score head replaces the vocabulary projection
    # Weights
    if mode == "qlora":
        weights = shape.linear_params * QLORA_BYTES + (P - shape.linear_params) * pb
        how = (f"{human_count(shape.linear_params)} layer weights in 4-bit NF4, the other "
               f"{human_count(P - shape.linear_params)} in {device.dtype}")
    else:
        weights = P * pb
        how = f"{human_count(P)} parameters in {device.dtype}"
    if mode == "full":
        trainable = P
        unknown: list[str] = []
    else:
        rank = int(settings.get("lora_r") or 16)
        trainable, unknown = shape.lora_params(rank, settings.get("lora_target_modules"))
        if seq_cls:
            trainable += 2 * shape.hidden  # the score head trains in full (and PEFT keeps a copy)
        weights += trainable * 4  # PEFT keeps the adapter in fp32
        how += f", plus the LoRA adapter ({human_count(trainable)} in float32, r {rank})"
    components["weights"] = weights
    notes["weights"] = how + (f"; LoRA targets {', '.join(unknown)} match no layer of a {shape.model_type} model "
                              "and are not counted" if unknown else "")
    # Reference
    if _needs_reference(method, t):
        if mode == "full":
            components["reference"] = P * pb
            notes["reference"] = "a frozen copy of the weights (no LoRA, so no adapter to switch off)"
        else:
            notes["reference"] = "the base with the LoRA adapter switched off: no second copy"
    else:
        notes["reference"] = f"{method.name} needs no reference model" + (
            " (β is 0)" if str(method.needs_reference_model).lower().startswith("optional") else "")
    # Reward and value models
    if method.takes_rewards:
        reward_shape, reward_note = _reward_model_shape(spec, shape)
        if reward_shape is not None:
            components["reward model"] = (reward_shape.params - (0 if reward_shape.tied else
                                                                 reward_shape.vocab * reward_shape.hidden)) * pb
            notes["reward model"] = f"{reward_note}: {human_count(reward_shape.params)} parameters in {device.dtype}"
        else:
            notes["reward model"] = "rule rewards: no reward model in memory"
    if method.id == "ppo":
        components["value model"] = (shape.hidden + 1) * 16
        notes["value model"] = "a linear value head on the policy's last hidden state, with its AdamW state"
    # Gradients and optimizer (AdamW: two states per trainable parameter, in the parameter's dtype)
    trainable_bytes = pb if mode == "full" else 4
    components["gradients"] = trainable * trainable_bytes
    components["optimizer state"] = 2 * trainable * trainable_bytes
    notes["gradients"] = f"{human_count(trainable)} trainable parameters × {trainable_bytes} bytes"
    notes["optimizer state"] = f"AdamW: 2 states × {human_count(trainable)} trainable parameters"
    # Activations and logits of one micro-batch
    key = "full" if mode == "full" else "lora"
    inter = (shape.expert_intermediate or shape.intermediate) * (shape.active_experts if shape.experts > 1 else 1)
    per_token_layer = (A_HIDDEN[key] * shape.hidden + A_INTER[key] * inter * (1 if shape.gated else 0.75)) * act_bytes
    tokens = wl.grad_seqs * wl.seq_len
    checkpointing = bool(t.get("gradient_checkpointing", False))  # the studio turns it off unless asked
    if checkpointing:
        activations = tokens * shape.layers * shape.hidden * act_bytes + tokens * per_token_layer
    else:
        activations = tokens * shape.layers * per_token_layer
    components["activations"] = activations
    notes["activations"] = (f"{wl.grad_seqs} sequences × {wl.seq_len} tokens × {shape.layers} layers"
                            + (" with gradient checkpointing (one layer's input kept per layer)" if checkpointing
                               else ""))
    logit_copies = LOGIT_COPIES["cuda" if device.kind == "cuda" else "cpu"]
    components["logits"] = wl.grad_seqs * wl.logit_len * shape.vocab * 4 * logit_copies
    notes["logits"] = (f"{wl.grad_seqs} × {wl.logit_len} positions × {shape.vocab:,} vocabulary in fp32 "
                       f"(×{logit_copies:g} copies)" if wl.logit_len > 1 else "a one-output score head: no "
                                                                               "vocabulary logits")
    training_phase = components["gradients"] + activations + components["logits"]
    # No-grad forwards (reference, KL batch, old log-probs, PPO's rollout scoring): one layer's activations and
    # their logits at a time
    scoring_seqs = max(wl.nograd_chunk, min(wl.nograd_seqs, wl.grad_seqs)) if (wl.nograd_seqs or
                                                                               wl.rollout_forwards) else 0
    scoring_phase = scoring_seqs * (wl.seq_len * per_token_layer + wl.logit_len * shape.vocab * 4 * 2)
    if method.id == "ppo":
        scoring_phase += scoring_seqs * wl.seq_len * shape.hidden * (shape.layers + 1) * act_bytes  # hidden states
    # Generation: the KV cache of the generation batch and its sampling logits
    generation_phase = 0.0
    if wl.gen_seqs:
        cache = wl.gen_seqs * (wl.gen_prompt + wl.gen_new) * shape.layers * 2 * shape.kv_dim * pb
        generation_phase = cache + wl.gen_seqs * shape.vocab * 4 * 3
        notes["generation cache"] = (f"KV cache of {wl.gen_seqs} sequences × ({wl.gen_prompt} prompt + {wl.gen_new} "
                                     f"new tokens) × {shape.layers} layers")
    phases = {"training": training_phase, "generation": generation_phase, "scoring": scoring_phase}
    peak_phase = max(phases, key=phases.get)
    if peak_phase != "training":  # gradients are freed (zero_grad) before a step generates or scores
        notes["activations"] += f" (training phase {_mb(training_phase)}, below the {peak_phase} phase's)"
        components["activations"] = components["logits"] = components["gradients"] = 0.0
        if peak_phase == "generation":
            components["generation cache"] = generation_phase
        else:
            components["activations"] = scoring_phase
            notes["activations"] = f"no-grad forwards of {scoring_seqs} sequences (reference / rollout scoring)"
    elif generation_phase:
        notes["generation cache"] += f": {_mb(generation_phase)}, freed before the backward pass (not in the peak)"
    # Runtime
    if device.kind == "cuda":
        variable = sum(components.values())
        components["runtime"] = CUDA_CONTEXT_MB * MB + GPU_SLACK * variable
        notes["runtime"] = "the CUDA context and the caching allocator's slack (not in torch's allocated memory)"
    else:
        components["runtime"] = CPU_RUNTIME_MB * MB
        notes["runtime"] = "the training process with torch, transformers and TRL imported (assumed)"
    raw_uncertain = sum(components[k] for k in UNCERTAIN)
    raw_certain = sum(v for k, v in components.items() if k != "runtime") - raw_uncertain
    step_inputs = (shape, wl, mode, method, trainable, P, checkpointing)
    step_parts = _step_time(shape, wl, device, *step_inputs[2:])
    return Plan(model=spec.model_name, method=spec.method, mode=mode, shape=shape, device=device,
                components=components, notes=notes, step_parts=step_parts, trainable=int(trainable),
                peak_phase=peak_phase, raw_certain=raw_certain, raw_uncertain=raw_uncertain,
                raw_step_s=sum(step_parts.values()),
                workload_notes=wl.notes, step_inputs=step_inputs)


def _step_time(shape: ModelShape, wl: Workload, device: Device, mode: str, method, trainable: int, params: int,
               checkpointing: bool) -> dict[str, float]:
    """Seconds per optimizer step, by part: FLOPs over the measured throughput, plus memory traffic and the fixed
    cost of each operation (which is what a small model on a CPU mostly pays)."""
    flops = device.flops or ASSUMED_GPU["flops"]
    bandwidth = device.bandwidth or ASSUMED_GPU["bandwidth"]
    body = shape.active_body_params
    head = shape.vocab * shape.hidden
    backward = 3.0 if mode == "full" else 2.0  # forward + input gradients (+ weight gradients when all train)
    if checkpointing:
        backward += 1.0
    seq, logit = wl.time_seq_len, wl.time_logit_len
    attention = 4 * seq * shape.q_dim * shape.layers  # per token: scores and their weighted sum

    def forward_flops(seqs: float, length: float, logits: float) -> float:
        return seqs * (length * (2 * body + attention) + logits * 2 * head)

    per_token_traffic = (A_HIDDEN["lora"] * shape.hidden + A_INTER["lora"] * shape.intermediate) * device.param_bytes
    parts: dict[str, float] = {}
    train_flops = forward_flops(wl.grad_seqs, seq, logit) * backward
    traffic = wl.grad_seqs * seq * shape.layers * per_token_traffic * 3 + wl.grad_seqs * logit * shape.vocab * 4 * 6
    ops = shape.layers * TRAIN_PARALLEL_OPS_PER_LAYER * device.parallel_op_s
    parts["forward/backward"] = wl.micro_batches * (train_flops / (flops * TRAIN_EFFICIENCY) + traffic / bandwidth
                                                    + ops)
    nograd = wl.nograd_seqs * wl.micro_batches + 2 * wl.rollout_forwards
    if nograd:
        fwd = forward_flops(nograd, seq, logit) / (flops * FORWARD_EFFICIENCY)
        fwd += nograd * seq * shape.layers * per_token_traffic / bandwidth
        chunks = max(1, math.ceil(nograd / max(1, wl.nograd_chunk or wl.grad_seqs)))
        parts["reference / scoring"] = fwd + chunks * shape.layers * FORWARD_PARALLEL_OPS_PER_LAYER * \
            device.parallel_op_s
    if wl.gen_seqs and wl.generations_per_step:
        lora_modules = 0 if mode == "full" else 4
        per_layer_ops = (OPS_PER_LAYER["small_mm"] + 2 * lora_modules) * device.small_mm_s + \
            (OPS_PER_LAYER["elementwise"] + 3 * lora_modules) * device.elementwise_s
        weights_bytes = params * (QLORA_BYTES if mode == "qlora" else device.param_bytes)
        decode = max(wl.gen_seqs * 2 * (body + head) / (flops * FORWARD_EFFICIENCY), weights_bytes / bandwidth)
        decode += shape.layers * per_layer_ops + 40 * device.elementwise_s  # + sampling and stopping checks
        prefill = forward_flops(wl.gen_seqs, wl.gen_prompt, 1) / (flops * FORWARD_EFFICIENCY)
        parts["generation"] = wl.generations_per_step * (prefill + wl.gen_new * decode)
    tensors = shape.layers * 8 if mode != "full" else shape.layers * 9 + 2
    parts["optimizer"] = trainable * (4 if mode != "full" else device.param_bytes) * 7 / bandwidth + \
        tensors * 12 * device.elementwise_s
    parts["overhead"] = STEP_OVERHEAD_S if device.kind != "cuda" else STEP_OVERHEAD_S / 3
    return parts


def _mb(value: float) -> str:
    return f"{value / GB:.2f} GB" if value >= GB else f"{value / MB:.0f} MB"


def human_count(n: float) -> str:
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= size:
            value = n / size
            return f"{value:.3g}{unit}"
    return f"{int(n)}"


# Suggestions ----------------------------------------------------------------------------------------------------

def _candidates(spec, method, plan: Plan, lengths: Lengths | None, defaults: dict) -> list[tuple[dict, str]]:
    t = training_values(spec, defaults)
    out: list[tuple[dict, str]] = []
    if plan.mode != "qlora" and plan.device.kind != "mps":
        out.append(({"use_peft": True, "load_in_4bit": True}, "QLoRA: 4-bit base weights with a LoRA adapter "
                                                              "(load_in_4bit: true)"))
    if plan.mode == "full":
        out.append(({"use_peft": True}, "LoRA instead of full fine-tuning (use_peft: true)"))
    batch = int(t.get("per_device_train_batch_size") or 8)
    accum = int(t.get("gradient_accumulation_steps") or 1)
    generations = int(t.get("num_generations") or 0) if method.online and method.id != "ppo" else 0
    if batch > 1:
        out.append(({"per_device_train_batch_size": batch // 2, "gradient_accumulation_steps": accum * 2},
                    f"batch {batch} → {batch // 2} with gradient accumulation {accum} → {accum * 2} (the same "
                    "examples per step)"))
    if not method.online and t.get("max_length"):
        limit = int(t["max_length"])
        if lengths:  # the length that keeps 90% of the rows whole, when that is shorter than what binds now
            ordered = sorted(lengths.total)
            shorter = -(-ordered[int(0.9 * (len(ordered) - 1))] // 16) * 16
            binding = min(limit, ordered[-1])
        else:
            shorter, binding = max(64, limit // 2), limit
        if shorter < binding:
            cut = ""
            if lengths:
                share = sum(v > shorter for v in lengths.total) / len(lengths.total)
                cut = f"; cuts the longest {100 * share:.0f}% of the rows measured" if share else ""
            out.append(({"max_length": shorter}, f"max_length {limit} → {shorter}{cut}"))
    if method.online:
        completion = int(t.get("max_completion_length") or 256)
        if completion > 16:
            out.append(({"max_completion_length": completion // 2},
                        f"max_completion_length {completion} → {completion // 2} (shorter answers)"))
        if generations > 2:
            fewer = generations // 2
            change = {"num_generations": fewer}
            if batch % generations == 0:
                change["per_device_train_batch_size"] = max(fewer, batch // 2)
            out.append((change, f"num_generations {generations} → {fewer} (the same prompts per step, "
                                "fewer answers each)"))
        if method.id == "ppo":
            chunk = int(t.get("local_rollout_forward_batch_size") or 64)
            rollout = batch * accum * int(t.get("num_mini_batches") or 1)
            if min(chunk, rollout) > 1:
                half = max(1, min(chunk, rollout) // 2)
                out.append(({"local_rollout_forward_batch_size": half},
                            f"local_rollout_forward_batch_size → {half} (generate the rollout in smaller chunks)"))
    if not t.get("gradient_checkpointing"):
        out.append(({"gradient_checkpointing": True}, "gradient checkpointing (recomputes activations: slower "
                                                      "steps, far fewer activations kept)"))
    return out


def _with_change(spec, change: dict):
    new = copy.deepcopy(spec)
    for key, value in change.items():
        if key in ("use_peft", "load_in_4bit", "load_in_8bit", "lora_r", "lora_target_modules"):
            new.model[key] = value
        else:
            new.training[key] = value
    return new


def suggestions(plan: Plan, spec, method, shape: ModelShape, device: Device, lengths, defaults: dict,
                calibration: dict | None) -> list[Suggestion]:
    """Each change estimated again (with the same correction), the biggest saving first; when no single change
    fits, their combination, added greedily until it does."""
    found = []
    for change, text in _candidates(spec, method, plan, lengths, defaults):
        other = _estimate(_with_change(spec, change), method, shape, device, lengths, defaults)
        if calibration is not None:
            _apply_correction(other, calibration, _with_change(spec, change))
        saves = plan.peak - other.peak
        if saves > 0.01 * plan.peak:
            found.append(Suggestion(change, text, other.peak, saves, other.step_s, other.verdict))
    found.sort(key=lambda s: -s.saves)
    if plan.verdict != "fits" and found and not any(s.verdict == "fits" for s in found):
        combined: dict = {}
        texts = []
        current = plan
        for suggestion in found:
            trial = {**combined, **suggestion.change}
            other = _estimate(_with_change(spec, trial), method, shape, device, lengths, defaults)
            if calibration is not None:
                _apply_correction(other, calibration, _with_change(spec, trial))
            if other.peak < current.peak:
                combined, current = trial, other
                texts.append(suggestion.text)
            if current.verdict == "fits" or len(texts) >= 4:
                break
        if len(texts) > 1:
            found.insert(0, Suggestion(combined, "together: " + "; ".join(texts), current.peak,
                                       plan.peak - current.peak, current.step_s, current.verdict))
    return found


# This machine's corrections ------------------------------------------------------------------------------------

def calibration_file(runs_dir: Path | None = None) -> Path:
    from .paths import default_runs_dir

    return Path(runs_dir or default_runs_dir()) / CALIBRATION_DIR / "calibration.json"


def load_calibration(runs_dir: Path | None = None) -> dict:
    try:
        data = json.loads(calibration_file(runs_dir).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, json.JSONDecodeError):
        return {}


def correction_keys(machine: str, family: str, method: str, mode: str) -> list[str]:
    """Most specific first: this model family, method and mode; then the family and method in any mode."""
    return [f"{machine}|{family}|{method}|{mode}", f"{machine}|{family}|{method}|*"]


def _apply_correction(plan: Plan, calibration: dict, spec) -> None:
    machine = plan.device.machine_id
    if not plan.device.here:
        return
    runtime = (calibration.get("machines") or {}).get(machine, {}).get("runtime_mb")
    if runtime and plan.device.kind != "cuda":
        plan.components["runtime"] = float(runtime) * MB
        plan.notes["runtime"] = "the training process with torch, transformers and TRL imported (measured here)"
    corrections = calibration.get("corrections") or {}
    for key in correction_keys(machine, plan.shape.family, plan.method, plan.mode):
        found = corrections.get(key)
        if not found:
            continue
        peak_factor, time_factor = found.get("peak"), found.get("time")
        if peak_factor:
            scaled = UNCERTAIN if found.get("scales", "modelled") == "modelled" else \
                [k for k in COMPONENTS if k != "runtime"]
            for name in scaled:
                plan.components[name] *= float(peak_factor)
            if plan.device.kind == "cuda":
                variable = sum(v for k, v in plan.components.items() if k != "runtime")
                plan.components["runtime"] = CUDA_CONTEXT_MB * MB + GPU_SLACK * variable
        if time_factor:
            parts = plan.step_parts
            then = found.get("throughput") or {}
            if plan.step_inputs and all(then.get(k) for k in THROUGHPUT_KEYS):
                # The factor was measured against the throughput at its own run's start. Steps measured minutes
                # ago say more about this machine under today's load than a benchmark of a second does now; an
                # hour on, today's benchmark has all the say (a geometric blend, weighted by the age).
                now_weight = min(1.0, max(0.0, (time.time() - float(found.get("at") or 0)) / 3600))
                mixed = dataclasses.replace(plan.device, **{
                    k: float(then[k]) ** (1 - now_weight) * getattr(plan.device, k) ** now_weight
                    for k in THROUGHPUT_KEYS if getattr(plan.device, k)})
                parts = _step_time(plan.step_inputs[0], plan.step_inputs[1], mixed, *plan.step_inputs[2:])
            plan.step_parts = {k: v * float(time_factor) for k, v in parts.items()}
        plan.correction = {**found, "key": key}
        return


def peak_correction(measured_variable_mb: float, certain_mb: float, uncertain_mb: float) -> dict:
    """The factor a measured peak puts on the estimate: on the modelled part (activations, logits, generation
    cache) when it is a fair share of the whole, since weights and optimizer state are counted exactly; else on
    everything but the runtime."""
    if uncertain_mb >= 0.1 * certain_mb and measured_variable_mb > certain_mb:
        factor = (measured_variable_mb - certain_mb) / uncertain_mb
        return {"peak": round(min(20.0, max(0.05, factor)), 4), "scales": "modelled"}
    return {"peak": round(min(20.0, max(0.05, measured_variable_mb / max(1.0, certain_mb + uncertain_mb))), 4),
            "scales": "all"}


def _save_calibration(runs_dir: Path, update) -> dict:
    from .training.runs import write_json_atomic

    path = calibration_file(runs_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = load_calibration(runs_dir)
    update(data)
    write_json_atomic(path, data)
    return data


def process_rss_mb() -> float:
    """This process's resident memory now, in MB."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / MB
    except (OSError, ValueError, IndexError):
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (MB if sys.platform == "darwin" else 1024)


def record_estimate(folder, spec, log=None) -> dict:
    """In the training process, before the model loads: the estimate for this run (status.json:
    estimated_peak_mb, estimated_step_s, and the raw values the measurement will correct), and this process's
    memory before the model (baseline_rss_mb). Never raises: a run never fails for its estimate."""
    from .training.runs import is_main_process

    if not is_main_process():  # under accelerate every process trains; the first one speaks for them
        return {}
    try:
        from .models import resolve_model

        resolve_model(spec.model_name)  # the run needs it next anyway; then its config.json is local
        plan = estimate(spec, runs_dir=folder.path.parent, suggest=False)
        baseline = process_rss_mb()
        values = {"estimated_peak_mb": round(plan.measurable_peak / MB, 1), "estimated_step_s": round(plan.step_s, 3),
                  "estimate": {"device": plan.device.machine_id, "family": plan.shape.family, "mode": plan.mode,
                               "verdict": plan.verdict, "raw_certain_mb": round(plan.raw_certain / MB, 1),
                               "raw_uncertain_mb": round(plan.raw_uncertain / MB, 1),
                               "raw_step_s": round(plan.raw_step_s, 4), "baseline_rss_mb": round(baseline, 1),
                               "components_mb": {k: round(v / MB, 1) for k, v in plan.components.items()},
                               "throughput": {k: getattr(plan.device, k) for k in THROUGHPUT_KEYS},
                               "corrected": bool(plan.correction)}}
        folder.write_status(**values)
        if log:
            log(f"estimate: peak {_mb(plan.measurable_peak)}, {plan.step_s:.2f} s per step ({plan.verdict}"
                f"{', corrected by an earlier run' if plan.correction else ''})")
        return values
    except Exception as exc:
        if log:
            log(f"no memory estimate for this run: {type(exc).__name__}: {str(exc)[:200]}")
        return {}


WARM_UP_STEPS = 2  # the first step's time holds the loading; the second is still about twice a steady one


def step_intervals(metrics: list[dict]) -> list[tuple[int, float]]:
    """(step, seconds it took) for each logged step after the one before it was logged."""
    rows = [(m["step"], m["time"]) for m in metrics
            if isinstance(m.get("step"), int) and isinstance(m.get("time"), (int, float)) and "loss" in m]
    return [(s1, (t1 - t0) / (s1 - s0)) for (s0, t0), (s1, t1) in zip(rows, rows[1:])
            if s1 > s0 >= 1 and t1 > t0]  # (a resumed run's times start again from its resume)


def measured_step_seconds(metrics: list[dict]) -> float | None:
    """The median time of the steps after the warm-up (WARM_UP_STEPS); None when none was logged."""
    steady = [seconds for step, seconds in step_intervals(metrics) if step > WARM_UP_STEPS]
    return statistics.median(steady) if steady else None


def during_run(folder, spec, estimate_: dict) -> tuple[float, dict]:
    """(the uncorrected step time, the throughput) for the load the run's steps met: the estimate at its start
    and one made again now, at the end of its steps, blended (geometric means). Other processes come and go; a
    probe's steps come after its loading, so the start alone may have met another load than they did."""
    start_s, start = float(estimate_["raw_step_s"]), estimate_.get("throughput") or {}
    if spec is None:
        return start_s, start
    try:
        _throughput.clear()  # measured afresh: the load now
        end = estimate(spec, runs_dir=folder.path.parent, correct=False, suggest=False)
    except Exception:  # the config no longer reads, say: the start's figures stand
        return start_s, start
    blended = {k: math.sqrt(float(start[k]) * getattr(end.device, k)) for k in THROUGHPUT_KEYS
               if start.get(k) and getattr(end.device, k)}
    return math.sqrt(start_s * end.raw_step_s), blended


def measured_peak_mb(status: dict) -> float | None:
    return status.get("measured_peak_mb") or status.get("peak_gpu_mb") or status.get("peak_rss_mb")


def record_measurement(folder, spec=None, log=None) -> dict:
    """In the training process, when training ends (before the verdict loads more models): its measured peak
    and step time (status.json measured_peak_mb, measured_step_s), and this machine's correction for the
    model family / method / mode updated from them. Never raises."""
    from .training.runs import is_main_process

    if not is_main_process():
        return {}
    try:
        from .training.execute import peak_memory

        peak = peak_memory()
        measured = peak.get("peak_gpu_mb") or peak["peak_rss_mb"]
        step_s = measured_step_seconds(folder.read_metrics())
        values = {"measured_peak_mb": measured, **({"measured_step_s": round(step_s, 3)} if step_s else {})}
        folder.write_status(**values)
        estimate_ = folder.read_status().get("estimate") or {}
        if estimate_.get("raw_certain_mb"):
            on_gpu = "peak_gpu_mb" in peak
            baseline = 0.0 if on_gpu else float(estimate_.get("baseline_rss_mb") or 0.0)
            correction = {**peak_correction(measured - baseline, estimate_["raw_certain_mb"],
                                            estimate_.get("raw_uncertain_mb") or 0.0),
                          "run": folder.name, "at": time.time(), "measured_peak_mb": measured}
            if step_s and estimate_.get("raw_step_s"):
                raw_s, throughput = during_run(folder, spec, estimate_)
                correction.update(time=round(step_s / raw_s, 4), measured_step_s=round(step_s, 3),
                                  throughput=throughput)
            keys = correction_keys(estimate_["device"], estimate_["family"], folder.method or getattr(spec, "method",
                                                                                                       ""),
                                   estimate_["mode"])

            def update(data: dict) -> None:
                corrections = data.setdefault("corrections", {})
                for key in keys:
                    previous = corrections.get(key) or {}
                    if "time" not in correction and previous.get("time"):  # a run too short to time keeps the old
                        correction.update({k: previous.get(k) for k in ("time", "measured_step_s", "throughput")})
                    corrections[key] = dict(correction)
                if not on_gpu and baseline:
                    data.setdefault("machines", {}).setdefault(estimate_["device"], {})["runtime_mb"] = baseline

            _save_calibration(folder.path.parent, update)
            values["correction"] = correction
        if log:
            log(f"measured: peak {measured:.0f} MB" + (f", {step_s:.2f} s per step" if step_s else ""))
        return values
    except Exception as exc:
        if log:
            log(f"could not record this run's measured memory: {type(exc).__name__}: {str(exc)[:200]}")
        return {}


# The probe -----------------------------------------------------------------------------------------------------

def probe_spec(spec, steps: int = PROBE_STEPS, runs_dir: Path | None = None, read_limits: dict | None = None):
    """The same run for `steps` steps: every step logged, no checkpoints, no held-out rows and no verdict, no
    trackers. With `runs_dir`, on the data's longest rows (written to <runs>/uploads/), so its few steps meet the
    run's worst batch: the peak it measures is the one the whole run would reach, and the correction it stores is
    reckoned against the estimate for those rows."""
    if not isinstance(steps, int) or steps < 3:
        raise ValueError("a probe needs at least 3 steps: the first two warm up, the others give the step time.")
    probe = copy.deepcopy(spec)
    probe.training.update(max_steps=steps, logging_steps=1, save_strategy="no")
    for key in ("report_to", "eval_strategy", "eval_steps", "save_steps", "num_train_epochs"):
        probe.training.pop(key, None)
    probe.holdout_rows = 0
    probe.verdict_rows = ""
    probe.verdict_judge = "none"
    if runs_dir is not None:
        longest = longest_rows(spec, steps + 1, read_limits)
        if longest is not None:
            import hashlib

            from .training.runs import write_jsonl

            text = "\n".join(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in longest)
            path = Path(runs_dir) / "uploads" / f"probe-{hashlib.sha256(text.encode()).hexdigest()[:12]}.jsonl"
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                write_jsonl(path, longest)
            probe.dataset = str(path)
    return probe


def _rows_per_step(spec, method, defaults: dict) -> int:
    t = training_values(spec, defaults)
    rows = int(t.get("per_device_train_batch_size") or 8) * int(t.get("gradient_accumulation_steps") or 1)
    if method.id == "ppo":
        return rows * int(t.get("num_mini_batches") or 1)
    if method.online:  # a batch of completions: num_generations per prompt
        return max(1, rows // max(1, int(t.get("num_generations") or 1)))
    return rows


def longest_rows(spec, steps: int, read_limits: dict | None = None) -> list[dict] | None:
    """The training rows a probe of `steps` steps needs, the longest ones (as the method's trainer renders them
    with the model's tokenizer), each label kept in its share; None when the data or the tokenizer isn't here,
    or the data has no more rows than the probe needs anyway."""
    from .methods import get_method

    method = get_method(spec.method)
    path = spec.dataset_path()
    tokenizer_path = _tokenizer_path(spec.model_name)
    if not path.is_file() or tokenizer_path is None:
        return None
    try:
        from .data import inspect_dataset
        from .data.tokens import render_row

        # The first PROBE_SCAN_ROWS rows are enough to find long ones, and keep the tokenizing here bounded.
        report, rows = inspect_dataset(path, keep_rows=PROBE_SCAN_ROWS, **(read_limits or {}))
        needed = _rows_per_step(spec, method, _config_defaults(method)) * steps
        if not rows or report.shape == "unknown" or len(rows) <= 2 * needed:
            return None
        tokenizer = _load_tokenizer(tokenizer_path)
        lengths = []
        for row in rows:
            rendered = render_row(method.prepare_rows([row], report, tokenizer)[0], tokenizer)
            count = {k: len(tokenizer(str(rendered[k]), add_special_tokens=False)["input_ids"])
                     for k in ("prompt", "completion", "chosen", "rejected", "text") if rendered.get(k)}
            lengths.append(count.get("prompt", 0) + count.get("text", 0) +
                           max(count.get("completion", 0), count.get("chosen", 0), count.get("rejected", 0)))
    except Exception:  # rows that can't be rendered: the probe trains on the data as it is
        return None
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(str(row.get("label")) if "label" in row else "", []).append(index)
    chosen: list[int] = []
    for members in groups.values():  # KTO needs good and bad answers both: each label keeps its share
        share = max(1, math.ceil(needed * len(members) / len(rows)))
        chosen += sorted(members, key=lambda i: -lengths[i])[:share]
    return [rows[i] for i in sorted(chosen)]


def run_measurement(run_dir) -> dict:
    """A finished run's estimate beside its measurement, from its status.json and metrics.jsonl."""
    from .training.runs import RunFolder

    folder = RunFolder(run_dir)
    status = folder.read_status()
    step_s = status.get("measured_step_s") or measured_step_seconds(folder.read_metrics())
    return {"run": folder.name, "state": status.get("state"), "steps": status.get("step"),
            "estimated_peak_mb": status.get("estimated_peak_mb"), "estimated_step_s": status.get("estimated_step_s"),
            "uncorrected_step_s": (status.get("estimate") or {}).get("raw_step_s"),
            "measured_peak_mb": measured_peak_mb(status), "measured_step_s": step_s,
            "message": status.get("message", "")}


def wait_for_run(runner, live, timeout: float, poll: float = 1.0) -> None:
    deadline = time.time() + timeout
    while live.active and time.time() < deadline:
        runner.wait(timeout=poll)


def run_probe(spec, runs_dir: Path | None = None, steps: int = PROBE_STEPS, timeout: float = 1800,
              log=None, runner=None) -> dict:
    """Start the probe through the runner (a child process, like any run), wait for it, and return its
    measurement. Raises ValueError when it can't start or doesn't finish."""
    from .training.runner import Runner

    runner = runner or Runner(runs_dir, adopt=False)
    live = runner.start(probe_spec(spec, steps, runner.runs_dir))
    if log:
        log(f"probe run {live.run_id}: {steps} steps of {spec.method}…")
    wait_for_run(runner, live, timeout)
    if live.active:
        runner.stop()
        runner.stop()
        raise ValueError(f"the probe run {live.run_id} did not finish within {timeout:.0f} s; it was stopped.")
    result = run_measurement(live.run_dir)
    if live.state != "finished":
        raise ValueError(f"the probe run {live.run_id} {live.state}: {live.message}")
    result["run_dir"] = str(live.run_dir)
    return result


# How a plan reads ------------------------------------------------------------------------------------------------

def plan_lines(plan: Plan, measured: dict | None = None) -> list[str]:
    """The plan as plain text lines (the CLI's output)."""
    d = plan.device
    mode = {"full": "full fine-tuning", "lora": "LoRA", "qlora": "QLoRA (4-bit + LoRA)"}[plan.mode]
    lines = [f"{plan.model}: {plan.shape.describe()}",
             f"{plan.method} · {mode} · {d.kind} {d.dtype} ({d.name})",
             f"peak memory ≈ {_mb(plan.peak)} of {_mb(d.available)} {d.memory_source}: {plan.verdict}"]
    width = max(len(k) for k in COMPONENTS)
    for name, value in plan.components.items():
        if value or name in ("weights", "reference"):
            lines.append(f"  {name:<{width}} {_mb(value):>9}  {plan.notes.get(name, '')}")
    for name in ("generation cache",):
        if not plan.components[name] and name in plan.notes:
            lines.append(f"  ({plan.notes[name]})")
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in plan.step_parts.items() if v >= 0.005)
    lines.append(f"time per step ≈ {plan.step_s:.2f} s ({parts}); throughput {d.throughput_source}: "
                 f"{d.flops / 1e9:,.0f} GFLOP/s")
    if plan.correction:
        c = plan.correction
        lines.append(f"corrected by run {c.get('run')} on this machine ({correction_text(c)})")
    elif d.here:
        lines.append("not corrected by a run of this model and method here yet: a probe (--probe) measures it")
    for note in plan.workload_notes:
        lines.append(f"assumed: {note}")
    if plan.lengths_source:
        lines.append(f"lengths: {plan.lengths_source}")
    if measured:
        lines.append(f"probe {measured.get('run')}: measured peak {measured.get('measured_peak_mb')} MB, "
                     f"{_seconds(measured.get('measured_step_s'))} per step (estimated beforehand "
                     f"{measured.get('estimated_peak_mb')} MB, {_seconds(measured.get('estimated_step_s'))})")
    if plan.suggestions:
        lines.append("to use less memory:" if plan.verdict == "fits" else "what to change:")
        for s in plan.suggestions[:6]:
            lines.append(f"  - {s.text}: {_mb(plan.peak)} → {_mb(s.peak)} (saves {_mb(s.saves)}; {s.verdict}; "
                         f"{s.step_s:.2f} s per step)")
    return lines


def correction_text(correction: dict) -> str:
    part = "activations, logits and cache" if correction.get("scales", "modelled") == "modelled" else "peak"
    measured = correction.get("measured_peak_mb")
    return (f"{part} ×{correction.get('peak', 1):.2f}" + (f", time ×{correction['time']:.2f}" if correction.get("time")
                                                          else "")
            + (f"; it peaked at {measured:,.0f} MB" if measured else "")
            + (f", {correction['measured_step_s']:.2f} s per step" if correction.get("measured_step_s") else ""))


def _seconds(value) -> str:
    return f"{value:.2f} s" if isinstance(value, (int, float)) else "? s"


def plan_markdown(plan: Plan, measured: dict | None = None) -> str:
    """The verdict, the time per step and the suggestions, as Markdown for the Train tab (values are numbers and
    fixed words; the model name is shown as code)."""
    d = plan.device
    word = {"fits": "✅ **fits**", "tight": "⚠️ **tight**", "won't fit": "⛔ **won't fit**"}[plan.verdict]
    mode = {"full": "full fine-tuning", "lora": "LoRA", "qlora": "QLoRA"}[plan.mode]
    out = [f"{word}: peak ≈ **{_mb(plan.peak)}** of {_mb(d.available)} ({d.memory_source}) · about "
           f"**{plan.step_s:.2f} s per step** (throughput {d.throughput_source}) · {mode}, {d.kind} {d.dtype}"]
    if plan.correction:
        c = plan.correction
        out.append(f"Corrected by run `{c.get('run')}` measured on this machine ({correction_text(c)}).")
    elif d.here:
        out.append("Not yet corrected by a run of this model and method here: **Probe** measures a few steps.")
    if measured:
        out.append(f"Probe `{measured.get('run')}` measured **{measured.get('measured_peak_mb')} MB** peak and "
                   f"**{_seconds(measured.get('measured_step_s'))}** per step (its estimate at start: "
                   f"{measured.get('estimated_peak_mb')} MB, {_seconds(measured.get('estimated_step_s'))}).")
    out.append("Model: " + plan.shape.describe().replace("`", "'"))
    for note in plan.workload_notes:
        out.append(f"Assumed: {note}.")
    text_ = "\n\n".join(out)
    if plan.suggestions:
        header = "**To use less memory:**" if plan.verdict == "fits" else "**What to change:**"
        bullets = [f"- {s.text}: {_mb(s.peak)} (saves {_mb(s.saves)}, {s.verdict}, {s.step_s:.2f} s/step)"
                   for s in plan.suggestions[:6]]
        text_ += "\n\n" + header + "\n" + "\n".join(bullets)
    return text_
