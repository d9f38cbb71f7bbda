"""Growing past one machine: write a run's config with the commands that run it on several GPUs.

The folder gets the studio config, an accelerate config (TRL's own multi-GPU / DeepSpeed ZeRO / FSDP
files, with the process count set), `launch.sh` running the same headless `python -m studio train` under
`accelerate launch`, and — where TRL's CLI has the method — a TRL-CLI config with the `trl <method>` command.
"""

from __future__ import annotations

import shlex
from importlib import resources
from pathlib import Path

import yaml

from .spec import PROJECT_ROOT, RunSpec

STRATEGIES = {
    "ddp": ("multi_gpu", "data parallel: one full copy per GPU"),
    "zero1": ("zero1", "DeepSpeed ZeRO-1: optimizer state sharded"),
    "zero2": ("zero2", "DeepSpeed ZeRO-2: optimizer state and gradients sharded"),
    "zero3": ("zero3", "DeepSpeed ZeRO-3: weights sharded too (largest models)"),
    "fsdp": ("fsdp2", "PyTorch FSDP2: weights, gradients and optimizer sharded"),
}
# Methods whose TRL CLI command takes the same config (GRPO's studio rewards and ORPO have no TRL CLI form).
TRL_CLI_METHODS = ("sft", "reward", "dpo", "kto")


def accelerate_config(strategy: str, num_processes: int) -> str:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy '{strategy}'; pick one of {', '.join(STRATEGIES)}.")
    if num_processes < 1:
        raise ValueError("the number of processes (GPUs) must be at least 1.")
    name = STRATEGIES[strategy][0]
    config = yaml.safe_load(resources.files("trl.accelerate_configs").joinpath(f"{name}.yaml").read_text())
    config["num_processes"] = int(num_processes)
    return yaml.safe_dump(config, sort_keys=False)


def trl_cli_config(spec: RunSpec) -> dict:
    """The same run in the TRL CLI's config format (ModelConfig + the method's config + a dataset mixture)."""
    data = {k: v for k, v in spec.model.items()}
    data.update(spec.training)
    data["datasets"] = [{"path": "json", "data_files": str(spec.dataset_path().resolve())}]
    data["output_dir"] = f"{spec.method}-output"
    return data


def write_launch_files(spec: RunSpec, out_dir: str | Path, strategy: str = "ddp", num_processes: int = 2) -> dict:
    """Write the files; returns {"files": [...], "commands": [...]} for display."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(spec.to_yaml(), encoding="utf-8")
    (out / "accelerate_config.yaml").write_text(accelerate_config(strategy, num_processes), encoding="utf-8")
    studio_cmd = ('accelerate launch --config_file "$HERE/accelerate_config.yaml" -m studio train "$HERE/config.yaml" '
                  f'--output-dir "$HERE/{spec.method}-run"')
    commands = [studio_cmd]
    files = [out / "config.yaml", out / "accelerate_config.yaml"]
    if spec.method in TRL_CLI_METHODS:
        (out / "trl_config.yaml").write_text(yaml.safe_dump(trl_cli_config(spec), sort_keys=False), encoding="utf-8")
        commands.append(f'trl {spec.method} --config "$HERE/trl_config.yaml" '
                        '--accelerate_config "$HERE/accelerate_config.yaml"')
        files.append(out / "trl_config.yaml")
    script = ["#!/usr/bin/env bash",
              f"# {spec.method.upper()} on {num_processes} GPU(s), {STRATEGIES[strategy][1]}.",
              "# Needs a checkout of Alignment Studio with its requirements (plus deepspeed for ZeRO); set",
              "# STUDIO_ROOT to it when this folder has moved to another machine.",
              "set -euo pipefail", 'HERE="$(cd "$(dirname "$0")" && pwd)"',
              f'cd "${{STUDIO_ROOT:-{shlex.quote(str(PROJECT_ROOT))}}}"', studio_cmd]
    if len(commands) > 1:
        script += ["# The same run with TRL's own CLI instead of the studio:", f"# {commands[1]}"]
    (out / "launch.sh").write_text("\n".join(script) + "\n", encoding="utf-8")
    (out / "launch.sh").chmod(0o755)
    files.append(out / "launch.sh")
    return {"files": [str(f) for f in files], "commands": commands}
