"""Methods: the registry (table + decision tree) and one module per method that builds its TRL trainer.

Each method module has:
  SHAPES            the dataset shapes it trains on
  STUDIO_KEYS       its own preset keys beyond TRL's fields, with their defaults (often empty)
  config_class()    its TRL config class
  prepare_rows()    rows in the detected shape → rows as its trainer wants them
  build_trainer()   a TrainContext → the TRL trainer
and may set MODEL_KIND = "sequence_classification" (default "causal_lm").
`common.prepare` does the shared work (model, tokenizer, precision, LoRA, dataset) so modules stay small.
"""

from __future__ import annotations

import importlib

from .registry import METHODS, MethodSpec, Recommendation, recommend_method

# Methods the studio can train today, mapped to their module.
TRAINABLE = {"sft": "sft", "reward": "reward", "dpo": "dpo", "kto": "kto", "orpo": "orpo", "grpo": "grpo",
             "ppo": "ppo"}


def known_methods() -> list[str]:
    return list(TRAINABLE)


def method_module(method: str):
    if method not in TRAINABLE:
        raise ValueError(f"method '{method}' can't be trained yet; trainable methods: {', '.join(TRAINABLE)}.")
    return importlib.import_module(f"{__name__}.{TRAINABLE[method]}")


def config_class(method: str):
    return method_module(method).config_class()


__all__ = ["METHODS", "MethodSpec", "Recommendation", "recommend_method", "known_methods", "method_module",
           "config_class", "TRAINABLE"]
