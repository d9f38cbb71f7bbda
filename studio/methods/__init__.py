"""Methods: the registry (table + decision tree) and one module per method that builds its TRL trainer.

Each method module has `config_class()` (its TRL config) and `build_trainer(ctx)`; `common.prepare`
does the shared work (model, tokenizer, precision, LoRA, dataset) so the modules stay small.
"""

from __future__ import annotations

import importlib

from .registry import METHODS, MethodSpec, Recommendation, recommend_method

# Methods the studio can train today, mapped to their module.
TRAINABLE = {"sft": "sft", "dpo": "dpo"}


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
