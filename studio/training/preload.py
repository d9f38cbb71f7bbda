"""Imported once by the fork server every training process is forked from (runner.py): the libraries a run
needs, so a run starts without seconds of imports. Nothing here touches a GPU: a CUDA context created before
a fork would break the children's."""

import os

os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # is_available() without initialising CUDA

import studio  # noqa: E402,F401  (the studio's process-wide defaults: no telemetry, quiet TRL imports)
import torch  # noqa: E402,F401
import transformers  # noqa: E402,F401
import trl  # noqa: E402,F401
from trl import DPOTrainer, GRPOTrainer, KTOTrainer, RewardTrainer, SFTTrainer  # noqa: E402,F401

from studio.methods import METHODS  # noqa: E402
from studio.methods import common  # noqa: E402,F401
from studio.training import execute, metrics  # noqa: E402,F401

for _method in METHODS.values():
    _method.config_class()  # each config class imports its trainer's module
