"""Deploy, the pipeline's last stage: a run's output as a standalone model others can load.

- merged: the LoRA adapter merged into the base, saved as safetensors with the tokenizer and chat template
  (loads with plain `AutoModelForCausalLM.from_pretrained`);
- optionally a 4-bit bitsandbytes copy beside it;
- optionally pushed to the Hugging Face Hub with a token that is used once and never logged or written;
- GGUF where llama.cpp's converter is installed, otherwise a note saying how.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .models import load_tokenizer, run_checkpoint

GGUF_CONVERTER_ENV = "LLAMA_CPP_CONVERTER"  # path of llama.cpp's convert_hf_to_gguf.py
_HUB_REPO = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")


def find_gguf_converter() -> str | None:
    candidate = os.environ.get(GGUF_CONVERTER_ENV)
    if candidate and Path(candidate).is_file():
        return candidate
    return shutil.which("convert_hf_to_gguf.py") or shutil.which("convert-hf-to-gguf")


def export_run(run_dir: str | Path, out_dir: str | Path, four_bit: bool = False, push_repo: str | None = None,
               token: str | None = None, gguf: bool = False, log=print, env_token: bool = True) -> dict:
    """Write the merged model (and the extras asked for); returns {"merged", "four_bit", "gguf", "pushed", "notes"}.
    `env_token`: a push without `token` may use this machine's login (HF_TOKEN); a shared studio says no, so a
    visitor's push always goes out with the visitor's own token."""
    run_dir, out = Path(run_dir), Path(out_dir).expanduser()
    if push_repo and not _HUB_REPO.match(push_repo):
        raise ValueError(f"'{push_repo[:100]}' is not a Hub repository id like you/my-model.")
    if push_repo and not token and not env_token:
        raise ValueError("Pushing to the Hub needs your own token: paste a write token into the token box "
                         "(it is used for this push only and never stored).")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} exists and is not empty; pick a new folder for the exported model.")
    source = run_checkpoint(run_dir)  # merges base + adapter once, or the full model a full fine-tune saved
    if not (Path(source) / "config.json").is_file():
        raise ValueError(f"run {run_dir.name} has no model to export.")
    import json

    if json.loads((Path(source) / "config.json").read_text()).get("architectures", [""])[0].endswith(
            "ForSequenceClassification"):
        log("note: this is a reward model (a classifier); it loads with AutoModelForSequenceClassification")
    shutil.copytree(source, out)
    load_tokenizer(str(source)).save_pretrained(out)  # tokenizer files and chat template travel with it
    result = {"merged": str(out), "four_bit": None, "gguf": None, "pushed": None, "notes": []}
    log(f"merged model written to {out}")
    if four_bit:
        result["four_bit"] = _four_bit_copy(out, out.with_name(out.name + "-4bit"))
        log(f"4-bit copy written to {result['four_bit']}")
    if gguf:
        converter = find_gguf_converter()
        if converter:
            target = out.with_name(out.name + ".gguf")
            subprocess.run([sys.executable, converter, str(out), "--outfile", str(target)], check=True)
            result["gguf"] = str(target)
        else:
            result["notes"].append(
                "GGUF: llama.cpp's converter is not installed. Clone https://github.com/ggml-org/llama.cpp, "
                f"then run `python convert_hf_to_gguf.py {out}` (or set {GGUF_CONVERTER_ENV} to that script).")
    if push_repo:
        result["pushed"] = _push(out, push_repo, token if token or not env_token else None)
        log(f"pushed to https://huggingface.co/{push_repo}")
    return result


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
