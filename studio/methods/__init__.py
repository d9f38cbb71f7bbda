"""Methods: one module per method, each declaring a `Method` descriptor (base.py), and the registry that
builds the comparison table and the decision tree from them (registry.py).

`common.prepare` does the work every method shares (model, tokenizer, precision, LoRA, dataset), so a method
module is its descriptor plus the few functions it names: config class, row preparation, trainer.
"""

from __future__ import annotations

from .base import Method
from .registry import METHODS, Recommendation, recommend_method

# Every method with a descriptor trains; the dict keeps the table's order.
TRAINABLE: dict[str, Method] = METHODS


def known_methods() -> list[str]:
    return list(METHODS)


def get_method(method: str) -> Method:
    if method not in METHODS:
        raise ValueError(f"method '{method}' can't be trained; the methods are: {', '.join(METHODS)}.")
    return METHODS[method]


def token_view(shape: str, method: str | None = None) -> tuple[str, object]:
    """(method, its prepare_rows) for measuring a dataset's token lengths as that method's trainer sees them:
    the given method, else the one the decision tree recommends for the shape."""
    method = method or recommend_method(shape).method
    return method, get_method(method).prepare_rows


def config_class(method: str):
    return get_method(method).config_class()


__all__ = ["METHODS", "Method", "Recommendation", "recommend_method", "known_methods", "get_method",
           "config_class", "token_view", "TRAINABLE"]
