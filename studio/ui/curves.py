"""The curves shown for a run: the Plotly figure of the panels the run's method declares."""

from __future__ import annotations

from ..methods import METHODS

# For a run folder of a method this studio no longer has: what every trainer logs.
GENERIC_PANELS = {"loss": ["loss", "eval_loss"], "learning rate": ["learning_rate"], "grad norm": ["grad_norm"],
                  "epoch": ["epoch"]}


def panels_of(method: str) -> dict[str, list[str]]:
    """The method's curve panels, as its descriptor declares them (title → metric keys; a key ending in
    "/*/mean" matches every reward function's mean)."""
    return METHODS[method].panels if method in METHODS else GENERIC_PANELS


def panel_keys(keys: list[str], available: set[str]) -> list[str]:
    found = []
    for key in keys:
        if "*" in key:
            prefix, suffix = key.split("*", 1)
            found += sorted(k for k in available if k.startswith(prefix) and k.endswith(suffix))
        elif key in available:
            found.append(key)
    return found


def smooth(values: list[float], weight: float) -> list[float]:
    """Exponential moving average, as TensorBoard's smoothing slider does (0 = raw)."""
    out, last = [], None
    for value in values:
        last = value if last is None or not weight else weight * last + (1 - weight) * value
        out.append(last)
    return out


def figure(metrics: list[dict], method: str, smoothing: float = 0.0):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = panels_of(method)
    available = {k for m in metrics for k in m}
    fig = make_subplots(rows=2, cols=2, subplot_titles=list(panels), vertical_spacing=0.16)
    for index, keys in enumerate(panels.values()):
        row, col = index // 2 + 1, index % 2 + 1
        for key in panel_keys(keys, available):
            series = [m for m in metrics if isinstance(m.get(key), (int, float))]
            fig.add_trace(go.Scatter(x=[m["step"] for m in series], y=smooth([m[key] for m in series], smoothing),
                                     mode="lines+markers" if len(series) < 60 else "lines", name=key,
                                     marker=dict(size=4)), row=row, col=col)
    fig.update_layout(height=520, margin=dict(l=40, r=20, t=40, b=30), legend=dict(orientation="h", y=-0.12))
    fig.update_xaxes(title_text="step", row=2)
    return fig
