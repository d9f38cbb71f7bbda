"""Toasts: Gradio renders their text as HTML, so every message goes out escaped, bounded, redacted, and (in
shared mode) without server paths (`services.Studio.visible`)."""

from __future__ import annotations

import html

import gradio as gr


def warn(ctx, message) -> None:
    gr.Warning(html.escape(ctx.visible(message), quote=False))


def info(ctx, message) -> None:
    gr.Info(html.escape(ctx.visible(message), quote=False))
