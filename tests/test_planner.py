"""Will it fit? (studio/planner.py): the estimate's breakdown, its ordering across LoRA / QLoRA / full, the reference
model's copy, the verdict and its suggestions, an unreachable hub, the probe's correction, the CLI and the chart.
Each test names the property it checks; most use a given device and no data, so they run in a second."""

from __future__ import annotations

import json
import math
import re
import time

import pytest

from studio import planner
from studio.training.spec import load_spec, preset_path

# SmolLM2-135M-Instruct's config.json (the bundled model), as its converted checkpoint holds it
SMOLLM2 = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 576, "head_dim": 64,
           "intermediate_size": 1536, "num_attention_heads": 9, "num_hidden_layers": 30, "num_key_value_heads": 3,
           "vocab_size": 49152, "tie_word_embeddings": True}
LLAMA_7B = {"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008, "num_attention_heads": 32,
            "num_hidden_layers": 32, "num_key_value_heads": 32, "vocab_size": 32000, "tie_word_embeddings": False}
METHODS = ("sft", "reward", "dpo", "kto", "orpo", "grpo", "ppo")


def cpu(available: float = 16 * planner.GB) -> planner.Device:
    return planner.Device("cpu", "test cpu", "float32", available, "given", flops=50e9, bandwidth=10e9,
                          small_mm_s=1e-4, elementwise_s=1e-5, throughput_source="given", here=False)


def spec_for(method: str, **changes):
    spec = load_spec(preset_path(method))
    for key, value in changes.items():
        (spec.model if key in ("use_peft", "load_in_4bit", "model_name_or_path") else spec.training)[key] = value
    if changes.get("use_peft") is False:
        spec.model.pop("load_in_4bit", None)
    return spec


def plan_of(spec, shape, device, suggest=False) -> planner.Plan:
    return planner.estimate(spec, device=device, shape=shape, lengths=None, correct=False, suggest=suggest)


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and re.search(r"[.!?]\s+[A-Z]", message) is None


def test_the_bundled_models_shape_counts_its_parameters_and_lora_adapter_exactly():
    shape = planner.shape_from_config(SMOLLM2, "SmolLM2-135M-Instruct", "test")
    assert shape.params == 134_515_008  # sum(p.numel() for p in model.parameters()) of the real checkpoint
    trainable, unknown = shape.lora_params(16, ["q_proj", "k_proj", "v_proj", "o_proj"])
    assert (trainable, unknown) == (1_843_200, [])
    assert shape.lora_params(16, ["q_proj", "nope"])[1] == ["nope"]


def test_lora_trainable_count_matches_peft_on_the_tiny_model(tiny_model):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    config, _ = planner.read_model_config(tiny_model)
    shape = planner.shape_from_config(config, tiny_model, "test")
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert shape.params == sum(p.numel() for p in model.parameters())
    for targets in (["q_proj", "v_proj"], ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                          "down_proj"]):
        peft_model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model),
                                    LoraConfig(r=8, target_modules=targets))
        real = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
        assert shape.lora_params(8, targets)[0] == real


@pytest.mark.parametrize("method", METHODS)
def test_breakdown_sums_to_the_peak_for_every_method_mode_and_device(method):
    shape = planner.shape_from_config(SMOLLM2, "SmolLM2-135M-Instruct", "test")
    for device in (cpu(), planner.planned_gpu("24GB")):
        for changes in ({}, {"use_peft": False}, {"load_in_4bit": True}):
            plan = plan_of(spec_for(method, **changes), shape, device)
            assert list(plan.components) == list(planner.COMPONENTS)
            assert all(v >= 0 for v in plan.components.values())
            assert plan.peak == pytest.approx(sum(plan.components.values()), rel=1e-12)
            shown = plan.to_dict()
            assert sum(shown["components_mb"].values()) == pytest.approx(shown["peak_mb"], abs=1.0)
            assert plan.components["weights"] > 0 and plan.components["runtime"] > 0 and plan.step_s > 0
            runtime = plan.components["runtime"] if device.kind == "cuda" else 0
            assert plan.measurable_peak == pytest.approx(plan.peak - runtime)


@pytest.mark.parametrize("method", ["sft", "dpo", "grpo"])
def test_qlora_estimate_is_below_lora_which_is_below_full(method):
    shape = planner.shape_from_config(LLAMA_7B, "llama-7b", "test")
    gpu = planner.planned_gpu("80GB")
    qlora, lora, full = (plan_of(spec_for(method, **c), shape, gpu)
                         for c in ({"load_in_4bit": True}, {}, {"use_peft": False}))
    assert (qlora.mode, lora.mode, full.mode) == ("qlora", "lora", "full")
    assert qlora.peak < lora.peak < full.peak
    assert qlora.components["weights"] < lora.components["weights"]  # 4-bit weights (LoRA adds its adapter)
    assert lora.components["optimizer state"] < full.components["optimizer state"]  # adapter vs every weight
    assert lora.components["gradients"] < full.components["gradients"]


def test_dpo_with_lora_holds_no_reference_copy_and_without_lora_it_does():
    shape = planner.shape_from_config(SMOLLM2, "SmolLM2-135M-Instruct", "test")
    gpu = planner.planned_gpu("24GB")
    lora = plan_of(spec_for("dpo"), shape, gpu)
    assert lora.components["reference"] == 0 and "switched off" in lora.notes["reference"]
    full = plan_of(spec_for("dpo", use_peft=False), shape, gpu)
    assert full.components["reference"] == shape.params * 2  # a bf16 copy of every weight
    assert plan_of(spec_for("kto", use_peft=False), shape, gpu).components["reference"] > 0
    assert plan_of(spec_for("orpo", use_peft=False), shape, gpu).components["reference"] == 0  # reference-free
    assert plan_of(spec_for("grpo", use_peft=False), shape, gpu).components["reference"] == 0  # β = 0
    assert plan_of(spec_for("grpo", use_peft=False, beta=0.04), shape, gpu).components["reference"] > 0


def test_ppo_holds_a_value_head_and_its_reward_model_only_when_it_has_one(tiny_model):
    policy = planner.shape_from_config(SMOLLM2, "SmolLM2-135M-Instruct", "test")
    plan = plan_of(spec_for("ppo"), policy, cpu())
    assert plan.components["value model"] == (policy.hidden + 1) * 16
    assert plan.components["reward model"] == 0 and "rule rewards" in plan.notes["reward model"]
    spec = spec_for("ppo")
    spec.extras["reward_model"] = tiny_model
    with_model = plan_of(spec, policy, cpu())
    tiny = planner.model_shape(tiny_model)
    assert with_model.components["reward model"] == tiny.params * 4  # tied embeddings: no head to leave out


def test_a_model_that_cant_fit_reads_wont_fit_and_each_suggestion_really_lowers_the_estimate():
    shape = planner.shape_from_config(LLAMA_7B, "llama-7b", "test")
    spec = spec_for("dpo", use_peft=False)
    device = planner.planned_gpu("24GB")
    plan = plan_of(spec, shape, device, suggest=True)
    assert plan.verdict == "won't fit"
    assert plan.suggestions
    for suggestion in plan.suggestions:
        again = plan_of(planner._with_change(spec, suggestion.change), shape, device)
        assert again.peak == pytest.approx(suggestion.peak)  # the saving is the re-estimate's, not a guess
        assert suggestion.peak < plan.peak and suggestion.saves == pytest.approx(plan.peak - suggestion.peak)
    changes = [s.change for s in plan.suggestions]
    assert any(c.get("load_in_4bit") for c in changes) and any(c.get("use_peft") for c in changes)
    assert any(s.verdict in ("fits", "tight") for s in plan.suggestions)
    assert [s.saves for s in plan.suggestions[1:]] == sorted((s.saves for s in plan.suggestions[1:]), reverse=True)


def test_verdict_reads_fits_tight_and_wont_fit_at_the_right_shares():
    assert planner.verdict_for(80, 100) == "fits"
    assert planner.verdict_for(90, 100) == "tight"
    assert planner.verdict_for(101, 100) == "won't fit"
    shape = planner.shape_from_config(SMOLLM2, "SmolLM2-135M-Instruct", "test")
    assert plan_of(spec_for("sft"), shape, planner.planned_gpu("80GB")).verdict == "fits"


def test_an_unreachable_hub_id_is_one_sentence_at_once_and_a_typed_size_stands_in(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.time()
    with pytest.raises(ValueError) as caught:
        planner.model_shape("studio-tests/no-such-model-here")
    assert time.time() - started < 3
    assert one_sentence(str(caught.value)) and "7B" in str(caught.value)
    shape = planner.model_shape("studio-tests/no-such-model-here", size="7B")
    assert shape.assumed and abs(shape.params / 7e9 - 1) < 0.15
    assert "could not be read" in shape.source


def test_a_hub_that_never_answers_is_given_up_within_the_timeout(monkeypatch):
    import huggingface_hub.constants as hub_constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(planner, "HUB_ENDPOINT", "http://10.255.255.1")  # not routable: a connect that hangs
    started = time.time()
    with pytest.raises(ValueError) as caught:
        planner._hub_config("studio-tests/never-answers", timeout=1.0)
    assert time.time() - started < 3
    assert one_sentence(str(caught.value))


def test_a_hub_config_json_of_megabytes_is_refused_before_it_is_downloaded(monkeypatch, tmp_path):
    """A repo anyone can publish, with a config.json of 3 MB: the planner asks its size and never fetches it."""
    import huggingface_hub.constants as hub_constants

    from tests.fake_hub import FakeHub

    hub = FakeHub()
    hub.models["someone/huge-config"] = {"config.json": b'{"pad": "' + b"x" * 3_000_000 + b'"}'}
    hub.models["someone/small-config"] = {"config.json": json.dumps(
        {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
         "intermediate_size": 128, "vocab_size": 1000}).encode()}
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(planner, "HUB_ENDPOINT", hub.url)
    try:
        with pytest.raises(ValueError) as caught:
            planner._hub_config("someone/huge-config", timeout=3.0)
        assert "3,000,011 bytes" in str(caught.value) and one_sentence(str(caught.value))
        assert [r["method"] for r in hub.to("/someone/huge-config/resolve/")] == ["HEAD"]  # asked, never fetched
        config, source = planner._hub_config("someone/small-config", timeout=3.0)  # a real one still reads
        assert config["hidden_size"] == 64 and "Hub" in source
    finally:
        hub.close()


def test_sizes_and_memory_parse_or_say_what_they_expect():
    assert planner.parse_size("7B") == 7_000_000_000
    assert planner.parse_size("1.5b") == 1_500_000_000 and planner.parse_size("360M") == 360_000_000
    assert planner.parse_memory("24GB") == 24 * planner.GB and planner.parse_memory("512 MB") == 512 * planner.MB
    for bad in ("seven", "12", ""):
        with pytest.raises(ValueError, match="7B"):
            planner.parse_size(bad)
    with pytest.raises(ValueError, match="24GB"):
        planner.parse_memory("lots")


def test_step_time_leaves_out_the_two_warm_up_steps():
    rows = [{"step": 1, "time": 30.0, "loss": 1}, {"step": 2, "time": 36.0, "loss": 1},
            {"step": 3, "time": 39.0, "loss": 1}, {"step": 4, "time": 41.0, "loss": 1},
            {"step": 5, "time": 43.0, "loss": 1}, {"step": 5, "time": 43.5, "train_loss": 1}]
    # steps 3, 4, 5 took 3, 2, 2 s; step 1's 30 s of loading and step 2's warm-up (6 s) are left out
    assert planner.measured_step_seconds(rows) == 2.0
    assert planner.measured_step_seconds(rows[:3]) == 3.0
    assert planner.measured_step_seconds(rows[:2]) is None
    resumed = rows[:4] + [{"step": 5, "time": 5.0, "loss": 1}, {"step": 6, "time": 8.0, "loss": 1}]
    assert planner.measured_step_seconds(resumed) == 3.0  # the jump back at the resume is no interval


def test_a_run_folder_saved_as_an_adapter_is_estimated_from_its_base(tmp_path, tiny_model):
    run = tmp_path / "runs" / "20260101-000000-sft"
    (run / "adapter").mkdir(parents=True)
    (run / "adapter" / "adapter_config.json").write_text("{}")
    (run / "status.json").write_text(json.dumps({"state": "finished", "method": "sft"}))
    (run / "config.yaml").write_text(spec_for("sft", model_name_or_path=tiny_model).to_yaml())
    config, source = planner.read_model_config(str(run))
    assert config["hidden_size"] == 32 and "the base of run" in source


def test_a_probe_is_the_same_run_shortened_without_checkpoints_or_verdict():
    spec = spec_for("dpo", report_to="tensorboard")
    probe = planner.probe_spec(spec)
    assert probe.training["max_steps"] == planner.PROBE_STEPS and probe.training["save_strategy"] == "no"
    assert probe.holdout_rows == 0 and "report_to" not in probe.training
    assert probe.training["per_device_train_batch_size"] == spec.training["per_device_train_batch_size"]
    assert spec.training["max_steps"] == 40  # the draft itself is untouched
    with pytest.raises(ValueError, match="3 steps"):
        planner.probe_spec(spec, steps=2)


def test_a_probe_trains_on_the_longest_rows_keeping_each_labels_share(tmp_path):
    from studio.data import inspect_dataset

    for method, per_step in (("dpo", 4), ("kto", 4), ("grpo", 4)):  # grpo: 32 completions / 8 per prompt
        spec = spec_for(method)
        probe = planner.probe_spec(spec, runs_dir=tmp_path)
        assert probe.dataset.startswith(str(tmp_path / "uploads"))
        report, rows = inspect_dataset(probe.dataset)
        _, every = inspect_dataset(spec.dataset_path())
        assert report.shape == inspect_dataset(spec.dataset_path())[0].shape
        assert per_step * (planner.PROBE_STEPS + 1) <= len(rows) <= per_step * (planner.PROBE_STEPS + 1) + 2
        key = {"dpo": "chosen", "kto": "completion", "grpo": "prompt"}[method]
        sizes = [len(json.dumps(row[key])) for row in rows]
        every_sizes = [len(json.dumps(row[key])) for row in every]
        assert sum(sizes) / len(sizes) > sum(every_sizes) / len(every_sizes)  # longer than the average row
        if method == "kto":
            assert {bool(r["label"]) for r in rows} == {True, False}


@pytest.mark.app
def test_the_probe_corrects_the_estimate_toward_what_it_measured(tiny_model, runs_dir):
    spec = spec_for("sft", model_name_or_path=tiny_model)
    before = planner.estimate(spec, runs_dir=runs_dir, suggest=False)
    assert before.correction is None
    result = planner.run_probe(spec, runs_dir, timeout=600)
    status = json.loads((runs_dir / result["run"] / "status.json").read_text())
    for key in ("estimated_peak_mb", "estimated_step_s", "measured_peak_mb", "measured_step_s"):
        assert isinstance(status.get(key), (int, float)), key
    after = planner.estimate(spec, runs_dir=runs_dir, suggest=False)
    assert after.correction and after.correction["run"] == result["run"]
    measured = result["measured_peak_mb"] * planner.MB
    assert abs(after.measurable_peak - measured) <= abs(before.measurable_peak - measured)
    assert abs(after.measurable_peak - measured) <= 0.1 * measured
    step = result["measured_step_s"]
    assert abs(math.log(after.step_s / step)) <= math.log(2)  # step times move with the machine's load
    calibration = planner.load_calibration(runs_dir)
    assert any(k.endswith("|sft|lora") for k in calibration["corrections"])


def test_cli_plan_prints_the_verdict_and_exits_by_it(capsys, tiny_model):
    from studio.__main__ import main

    preset = str(preset_path("dpo"))
    assert main(["plan", preset, "--set", f"model_name_or_path={tiny_model}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] in ("fits", "tight") and data["components_mb"]["weights"] > 0 and data["step_s"] > 0
    started = time.time()
    code = main(["plan", preset, "--set", "model_name_or_path=studio-tests/no-such-model", "--set", "use_peft=false",
                 "--model-size", "7B", "--memory", "16GB"])
    out = capsys.readouterr().out
    assert code == 1 and "won't fit" in out and "what to change" in out and time.time() - started < 30
    assert main(["plan", preset, "--set", "model_name_or_path=studio-tests/no-such-model"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and one_sentence(error)


def test_the_chart_stacks_each_held_component_and_shows_the_probe_beside_it():
    from studio.ui.fit_panel import breakdown_figure

    shape = planner.shape_from_config(SMOLLM2, "SmolLM2-135M-Instruct", "test")
    plan = plan_of(spec_for("grpo"), shape, cpu(available=2 * planner.GB))
    figure = breakdown_figure(plan, {"measured_peak_mb": 1500.0})
    stacked = [t for t in figure.data if t.y == ("estimate",)]
    assert [t.name for t in stacked] == [k for k, v in plan.components.items() if v > 0]
    assert sum(t.x[0] for t in stacked) == pytest.approx(plan.peak / planner.GB)
    assert [t.y for t in figure.data if t.y != ("estimate",)] == [("probe",)]
    assert figure.layout.barmode == "stack"


def test_the_train_tabs_estimate_button_answers_for_the_sessions_draft(tiny_model, tmp_path):
    from types import SimpleNamespace

    import gradio as gr

    from studio.services import Studio
    from studio.training.runner import Runner
    from studio.ui.fit_panel import build_fit_panel
    from studio.ui.train_tab import Drafts, session_of

    ctx = Studio(runner=Runner(tmp_path / "runs", adopt=False))
    drafts = Drafts(lambda: spec_for("dpo", model_name_or_path=tiny_model))
    drafts.get("other").spec = spec_for("dpo", model_name_or_path="studio-tests/no-such-model")
    with gr.Blocks() as app:
        build_fit_panel(ctx, drafts, session_of, gr.BrowserState(""))
    on_estimate = next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == "on_estimate")
    verdict, chart = on_estimate("here", "", SimpleNamespace(session_hash="mine"))
    assert "**fits**" in verdict and "s per step" in verdict and chart.layout.barmode == "stack"
    verdict, chart = on_estimate("16GB", "7B", SimpleNamespace(session_hash="other"))
    assert "of 16.00 GB" in verdict and "typical model" in verdict and "What to change" in verdict
