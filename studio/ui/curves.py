"""The curves shown for a run: which metrics each method's panels plot, and the Plotly figure."""

from __future__ import annotations

# Per method: panel title → metric keys (a key ending in "/*/mean" matches every reward function's mean).
PANELS = {
    "sft": {"loss": ["loss", "eval_loss"], "token accuracy": ["mean_token_accuracy"], "learning rate": ["learning_rate"],
            "grad norm": ["grad_norm"]},
    "reward": {"loss": ["loss", "eval_loss"], "pair accuracy": ["accuracy"], "reward margin": ["margin"],
               "learning rate": ["learning_rate"]},
    "dpo": {"loss": ["loss", "eval_loss"], "rewards (chosen / rejected)": ["rewards/chosen", "rewards/rejected"],
            "reward margin": ["rewards/margins"], "reward accuracy": ["rewards/accuracies"]},
    "kto": {"loss": ["loss", "eval_loss"], "rewards (chosen / rejected)": ["rewards/chosen", "rewards/rejected"],
            "KL to reference": ["kl"], "learning rate": ["learning_rate"]},
    "orpo": {"loss": ["loss", "nll_loss", "eval_loss"], "log odds ratio": ["log_odds_ratio"],
             "reward margin": ["rewards/margins"], "reward accuracy": ["rewards/accuracies"]},
    "grpo": {"mean reward": ["reward"], "reward per function": ["rewards/*/mean"], "reward std": ["reward_std"],
             "completion length": ["completions/mean_length"]},
    "ppo": {"score": ["objective/scores", "objective/rlhf_reward"], "KL to reference": ["objective/kl"],
            "value loss": ["val/vf_loss"], "clip fraction": ["policy/clipfrac", "val/clipfrac"]},
}


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

    panels = PANELS.get(method, PANELS["sft"])
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
