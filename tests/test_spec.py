"""RunSpec: presets load, unknown and studio-managed keys are refused, --set overrides parse, YAML round-trips.
(Imports trl's config classes to know the valid keys; no model is loaded.)"""

from __future__ import annotations

import pytest
import yaml

from studio.models import BUNDLED_MODEL
from studio.training.spec import (
    MANAGED_KEYS,
    MODEL_DEFAULTS,
    PROJECT_ROOT,
    RunSpec,
    load_spec,
    parse_overrides,
    preset_path,
    spec_from_dict,
)

LORA = {"use_peft": True, "lora_r": 16, "lora_alpha": 32, "lora_dropout": 0.05,
        "lora_target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"]}


def test_demo_sft_preset():
    spec = load_spec(PROJECT_ROOT / "presets" / "demo" / "sft.yaml")
    assert spec.method == "sft"
    assert spec.dataset == "presets/data/sft_pirate_chats.jsonl"
    assert spec.model == {"model_name_or_path": "SmolLM2-135M-Instruct", **LORA}
    assert spec.training["max_steps"] == 60
    assert spec.training["learning_rate"] == pytest.approx(2e-4)
    assert isinstance(spec.training["learning_rate"], float)
    assert "beta" not in spec.training
    assert spec.model_name == "SmolLM2-135M-Instruct"


def test_demo_dpo_preset():
    spec = load_spec(preset_path("dpo"))
    assert spec.method == "dpo"
    assert spec.dataset == "presets/data/dpo_helpful_pairs.jsonl"
    assert spec.model["lora_target_modules"] == LORA["lora_target_modules"]
    assert spec.training["beta"] == 0.1
    assert spec.training["max_steps"] == 40
    assert not set(spec.training) & set(spec.model)


def test_overrides_replace_preset_values():
    spec = load_spec(preset_path("dpo"), {"beta": 0.3, "max_steps": 2, "lora_r": 4})
    assert spec.training["beta"] == 0.3
    assert spec.training["max_steps"] == 2
    assert spec.model["lora_r"] == 4


def test_unknown_key_names_it_and_suggests_the_nearest(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("method: sft\ndataset: d.jsonl\nlearning_rat: 0.001\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"typo\.yaml: unknown key 'learning_rat' for method sft\. "
                                         r"Did you mean 'learning_rate'\?"):
        load_spec(path)


def test_unknown_key_without_a_near_match_has_no_hint():
    with pytest.raises(ValueError, match=r"unknown key 'zzzzzzzz' for method dpo\.$"):
        spec_from_dict({"method": "dpo", "dataset": "d.jsonl", "zzzzzzzz": 1})


def test_a_key_of_another_method_is_unknown():
    with pytest.raises(ValueError, match=r"unknown key 'beta' for method sft"):
        spec_from_dict({"method": "sft", "dataset": "d.jsonl", "beta": 0.1})


@pytest.mark.parametrize("key", MANAGED_KEYS)
def test_managed_keys_are_refused(key):
    with pytest.raises(ValueError, match=rf"'{key}' is set by the studio"):
        spec_from_dict({"method": "sft", "dataset": "d.jsonl", key: "x"})


def test_managed_output_dir_refused_in_a_file(tmp_path):
    path = tmp_path / "managed.yaml"
    path.write_text("method: dpo\ndataset: d.jsonl\noutput_dir: /tmp/out\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"managed\.yaml: 'output_dir' is set by the studio"):
        load_spec(path)


@pytest.mark.parametrize("values, message", [
    ({"dataset": "d.jsonl"}, r"'method' must be one of sft, reward, ppo, dpo, kto, orpo, cpo, grpo, rloo; got None"),
    ({"method": "telepathy", "dataset": "d.jsonl"}, r"'method' must be one of .*got 'telepathy'"),
    ({"method": "sft"}, r"'dataset' is missing"),
    ({"method": "sft", "dataset": ""}, r"'dataset' is missing"),
])
def test_method_and_dataset_are_required(values, message):
    with pytest.raises(ValueError, match=message):
        spec_from_dict(values)


@pytest.mark.parametrize("text, message", [
    (None, r"no such config file"),
    ("method: [sft\n", r"not valid YAML"),
    ("- method\n- sft\n", r"expected a mapping"),
])
def test_unusable_config_files(tmp_path, text, message):
    path = tmp_path / "conf.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"conf\.yaml: {message}"):
        load_spec(path)


def test_model_defaults_apply_when_the_preset_says_nothing():
    spec = spec_from_dict({"method": "sft", "dataset": "d.jsonl"})
    assert spec.model == MODEL_DEFAULTS
    assert spec.model == {"model_name_or_path": BUNDLED_MODEL, **LORA}
    assert spec.training == {}


def test_model_defaults_can_be_overridden_one_by_one():
    spec = spec_from_dict({"method": "sft", "dataset": "d.jsonl", "lora_r": 8, "use_peft": False,
                           "model_name_or_path": "org/model"})
    assert spec.model["lora_r"] == 8
    assert spec.model["use_peft"] is False
    assert spec.model["lora_alpha"] == 32  # untouched defaults stay
    assert spec.model_name == "org/model"


def test_specs_do_not_share_the_default_target_modules_list(monkeypatch):
    # a private copy, restored afterwards, so the bug can't leak into other tests
    monkeypatch.setitem(MODEL_DEFAULTS, "lora_target_modules", list(MODEL_DEFAULTS["lora_target_modules"]))
    first = spec_from_dict({"method": "sft", "dataset": "d.jsonl"})
    first.model["lora_target_modules"].append("gate_proj")
    second = spec_from_dict({"method": "sft", "dataset": "d.jsonl"})
    assert second.model["lora_target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj"]


def test_parse_overrides_reads_yaml_scalars():
    parsed = parse_overrides(["max_steps=3", "beta=0.2", "learning_rate=5.0e-5", "use_peft=false",
                              "lora_target_modules=[q_proj, v_proj]", "dataset=data/my file.jsonl",
                              " lr_scheduler_type = cosine", "run_name=a=b", "hub_model_id="])
    assert parsed == {"max_steps": 3, "beta": 0.2, "learning_rate": 5e-5, "use_peft": False,
                      "lora_target_modules": ["q_proj", "v_proj"], "dataset": "data/my file.jsonl",
                      "lr_scheduler_type": "cosine", "run_name": "a=b", "hub_model_id": ""}
    assert type(parsed["max_steps"]) is int
    assert type(parsed["beta"]) is float
    assert parse_overrides([]) == {} and parse_overrides(None) == {}


def test_later_overrides_win():
    assert parse_overrides(["max_steps=3", "max_steps=5"]) == {"max_steps": 5}


@pytest.mark.parametrize("pair", ["max_steps", "=3", " =3", ""])
def test_parse_overrides_needs_key_equals_value(pair):
    with pytest.raises(ValueError, match=r"--set expects KEY=VALUE"):
        parse_overrides([pair])


def test_parse_overrides_reads_exponent_floats_without_a_dot():
    assert parse_overrides(["learning_rate=1e-4"]) == {"learning_rate": 1e-4}


def test_parse_overrides_malformed_value_raises_value_error():
    with pytest.raises(ValueError, match=r"lora_target_modules"):
        parse_overrides(["lora_target_modules=[q_proj"])


@pytest.mark.parametrize("method", ["sft", "dpo"])
def test_to_yaml_round_trips(method):
    spec = load_spec(preset_path(method), {"max_steps": 7, "lora_r": 4})
    text = spec.to_yaml()
    assert text.splitlines()[:6] == [f"method: {method}", f"dataset: {spec.dataset}", "holdout_rows: 32", "",
                                     "# Model", "model_name_or_path: SmolLM2-135M-Instruct"]
    again = spec_from_dict(yaml.safe_load(text))
    assert again == spec
    assert isinstance(again, RunSpec)


def test_to_flat_holds_every_field_once():
    spec = load_spec(preset_path("dpo"))
    flat = spec.to_flat()
    assert len(flat) == 3 + len(spec.model) + len(spec.extras) + len(spec.training)
    assert flat["method"] == "dpo" and flat["beta"] == 0.1 and flat["lora_r"] == 16
