"""Exported multi-GPU launches: the files parse with accelerate's and TRL's own parsers."""

from __future__ import annotations

import sys

import pytest
import yaml

from studio.__main__ import main
from studio.training.launch import STRATEGIES, accelerate_config, write_launch_files
from studio.training.spec import load_spec, spec_from_yaml


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_accelerate_config_sets_processes(strategy):
    config = yaml.safe_load(accelerate_config(strategy, 4))
    assert config["num_processes"] == 4
    expected = {"ddp": "MULTI_GPU", "fsdp": "FSDP"}.get(strategy, "DEEPSPEED")
    assert config["distributed_type"] == expected


def test_bad_strategy_and_process_count():
    with pytest.raises(ValueError, match="unknown strategy"):
        accelerate_config("magic", 2)
    with pytest.raises(ValueError, match="at least 1"):
        accelerate_config("ddp", 0)


def test_launch_files_round_trip_and_trl_cli_parses(tmp_path, monkeypatch):
    spec = load_spec("presets/dpo.yaml")
    written = write_launch_files(spec, tmp_path, "zero2", 4)
    assert spec_from_yaml((tmp_path / "config.yaml").read_text()) == spec
    script = (tmp_path / "launch.sh").read_text()
    assert "accelerate launch --config_file" in script and "-m studio train" in script and "--output-dir" in script
    assert any(c.startswith("trl dpo --config") for c in written["commands"])
    from trl import DatasetMixtureConfig, DPOConfig, ModelConfig, ScriptArguments, TrlParser

    # The file is meant for GPUs (bf16); this CPU machine parses it with precision overridden.
    monkeypatch.setattr(sys, "argv", ["trl", "--config", str(tmp_path / "trl_config.yaml"), "--bf16", "False",
                                      "--use_cpu", "True"])
    parser = TrlParser((ScriptArguments, DPOConfig, ModelConfig, DatasetMixtureConfig))
    _, training, model, data = parser.parse_args_and_config(fail_with_unknown_args=True)
    assert training.beta == 0.1 and training.learning_rate == 1e-6 and training.max_length == 1024
    assert model.lora_r == 16 and model.model_name_or_path == "Qwen/Qwen2.5-0.5B-Instruct"
    assert data.datasets[0].path == "json"


def test_grpo_has_no_trl_cli_command(tmp_path):
    written = write_launch_files(load_spec("presets/grpo.yaml"), tmp_path, "ddp", 2)
    assert len(written["commands"]) == 1 and not (tmp_path / "trl_config.yaml").exists()


def test_cli_launch(tmp_path, capsys):
    assert main(["launch", "presets/demo/sft.yaml", "--out", str(tmp_path), "--strategy", "fsdp"]) == 0
    assert "launch.sh" in capsys.readouterr().out
    assert main(["launch", "presets/nope.yaml", "--out", str(tmp_path)]) == 2
