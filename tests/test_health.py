"""Health alerts (studio/training/health.py) on hand-built metric lists: each fires when it should, none on a
healthy run, and every alert says what to try."""

from __future__ import annotations

import math

import pytest

from studio.training.health import Alert, check_health, health_markdown

STEPS = 18


def _run(**series) -> list[dict]:
    """One record per step; each keyword is a metric name (use __ for /) → list of values or a function of i."""
    records = []
    for i in range(STEPS):
        record = {"step": i + 1, "epoch": (i + 1) / STEPS, "time": float(i)}
        for name, values in series.items():
            value = values(i) if callable(values) else values[i]
            if value is not ...:
                record[name.replace("__", "/")] = value
        records.append(record)
    return records


def healthy_dpo() -> list[dict]:
    return _run(loss=lambda i: 0.69 - 0.01 * i, grad_norm=lambda i: 1.0 + 0.05 * (i % 3),
                learning_rate=lambda i: 5e-5, rewards__chosen=lambda i: 0.01 * i,
                rewards__rejected=lambda i: -0.03 * i, rewards__margins=lambda i: 0.04 * i,
                rewards__accuracies=lambda i: min(0.5 + 0.02 * i, 0.9))


def healthy_kto() -> list[dict]:
    return _run(loss=lambda i: 0.5 - 0.005 * i, kl=lambda i: 0.05 + 0.002 * i,
                rewards__chosen=lambda i: 0.01 * i, rewards__rejected=lambda i: -0.01 * i)


def healthy_grpo() -> list[dict]:
    return _run(loss=lambda i: 0.0, reward=lambda i: 0.3 + 0.02 * i, reward_std=lambda i: 0.4,
                frac_reward_zero_std=lambda i: 0.25, **{"objective__kl": lambda i: 0.001 * i},
                grad_norm=lambda i: 0.5)


def healthy_sft_with_eval() -> list[dict]:
    # eval rows carry eval_loss only, as the Trainer logs them
    records = _run(loss=lambda i: 2.0 - 0.05 * i, grad_norm=lambda i: 1.0, mean_token_accuracy=lambda i: 0.5)
    return records + [{"step": s, "eval_loss": v} for s, v in ((6, 1.9), (12, 1.7), (18, 1.6))]


HEALTHY = {"dpo": healthy_dpo, "kto": healthy_kto, "grpo": healthy_grpo, "sft": healthy_sft_with_eval}


def titles(metrics) -> list[str]:
    return [a.title for a in check_health(metrics)]


def has(metrics, words: str) -> bool:
    return any(words in t for t in titles(metrics))


@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_healthy_runs_raise_no_alert(name):
    assert check_health(HEALTHY[name]()) == []


@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_health_markdown_of_a_healthy_run_says_no_problems(name):
    assert health_markdown(HEALTHY[name]()) == "**Health:** no problems seen."


def test_health_markdown_is_empty_without_metrics():
    assert health_markdown([]) == ""
    assert check_health([]) == []


# NaN / infinite loss ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_loss_value_is_an_error(bad):
    metrics = healthy_dpo()
    metrics[10]["loss"] = bad
    alerts = check_health(metrics)
    assert [a.level for a in alerts if "NaN" in a.title] == ["error"]


@pytest.mark.parametrize("key", ["loss", "grad_norm"])
def test_non_finite_as_stored_in_metrics_jsonl_is_an_error(key):
    # metrics.jsonl is strict JSON: the value is null and the key is named in "nonfinite"
    metrics = healthy_dpo()
    metrics[-1] = {**metrics[-1], key: None, "nonfinite": [key]}
    assert has(metrics, "NaN or infinite")
    assert health_markdown(metrics).startswith("**Problem: the loss")


def test_non_finite_other_metric_is_not_the_loss_alert():
    metrics = healthy_dpo()
    metrics[-1] = {**metrics[-1], "rewards/chosen": None, "nonfinite": ["rewards/chosen"]}
    assert not has(metrics, "NaN")


def test_nan_alert_is_not_raised_by_a_null_loss_without_nonfinite():
    metrics = healthy_dpo()
    metrics[3]["loss"] = None
    assert not has(metrics, "NaN")


# Likelihood displacement ---------------------------------------------------------------------------------

def test_likelihood_displacement_fires_when_chosen_falls_while_margin_grows():
    metrics = _run(loss=lambda i: 0.69 - 0.02 * i, rewards__chosen=lambda i: -0.2 * i,
                   rewards__rejected=lambda i: -0.5 * i, rewards__margins=lambda i: 0.3 * i,
                   rewards__accuracies=lambda i: 0.8)
    assert has(metrics, "chosen answers are getting less likely")


def test_likelihood_displacement_silent_when_chosen_falls_but_margin_flat():
    metrics = _run(rewards__chosen=lambda i: -0.2 * i, rewards__margins=lambda i: 0.1)
    assert not has(metrics, "less likely")


def test_likelihood_displacement_silent_when_margin_grows_and_chosen_rises():
    metrics = _run(rewards__chosen=lambda i: 0.2 * i, rewards__margins=lambda i: 0.3 * i)
    assert not has(metrics, "less likely")


# Saturating margins --------------------------------------------------------------------------------------

def test_saturating_margins_fire_for_dpo():
    metrics = _run(rewards__accuracies=lambda i: 1.0, rewards__margins=lambda i: 8.0 + 0.1 * i,
                   rewards__chosen=lambda i: 0.5)
    assert has(metrics, "saturating")


def test_saturating_margins_silent_when_accuracy_below_one():
    metrics = _run(rewards__accuracies=lambda i: 0.9, rewards__margins=lambda i: 8.0)
    assert not has(metrics, "saturating")


def test_saturating_margins_silent_when_margins_small():
    metrics = _run(rewards__accuracies=lambda i: 1.0, rewards__margins=lambda i: 2.0)
    assert not has(metrics, "saturating")


def test_saturating_margins_fire_for_a_reward_model():
    # trl.RewardTrainer logs "accuracy" and "margin" (the reward descriptor's panels, studio/methods/reward.py)
    metrics = _run(loss=lambda i: 0.01, accuracy=lambda i: 1.0, margin=lambda i: 9.0)
    assert has(metrics, "saturating")


# KL exploding --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["kl", "objective/kl"])
def test_kl_exploding_fires_on_growth(key):
    metrics = _run(**{key.replace("/", "__"): lambda i: 0.2 * 1.3 ** i})  # 0.2 → ~17
    alerts = [a for a in check_health(metrics) if "KL" in a.title]
    assert len(alerts) == 1 and alerts[0].level == "warning"


@pytest.mark.parametrize("key", ["kl", "objective/kl"])
def test_kl_over_ten_fires_even_for_short_runs(key):
    assert has([{"step": 1, key: 0.5}, {"step": 2, key: 12.0}], "KL")


def test_kl_relative_growth_fires_below_ten():
    # from ~0.3 to 4: under the absolute limit, but >5× where it started
    metrics = _run(kl=lambda i: 0.3 if i < 12 else 4.0)
    assert has(metrics, "KL")


def test_kl_alert_once_when_both_keys_explode():
    metrics = _run(kl=lambda i: 20.0, objective__kl=lambda i: 20.0)
    assert sum("KL" in t for t in titles(metrics)) == 1


def test_kl_steady_is_silent():
    assert not has(_run(kl=lambda i: 2.0 + 0.01 * i), "KL")
    assert not has(_run(objective__kl=lambda i: 0.02), "KL")


# GRPO: no learning signal --------------------------------------------------------------------------------

def test_grpo_all_groups_identical_fires():
    metrics = _run(reward=lambda i: 0.0, reward_std=lambda i: 0.05, frac_reward_zero_std=lambda i: 1.0)
    assert has(metrics, "no learning signal")


def test_grpo_reward_std_zero_fires():
    metrics = _run(reward=lambda i: 1.0, reward_std=lambda i: 0.0)
    assert has(metrics, "no learning signal")


def test_grpo_signal_returning_at_the_end_is_silent():
    metrics = _run(frac_reward_zero_std=lambda i: 1.0 if i < STEPS - 1 else 0.5,
                   reward_std=lambda i: 0.0 if i < STEPS - 1 else 0.3)
    assert not has(metrics, "no learning signal")


def test_grpo_mostly_zero_std_is_silent():
    metrics = _run(frac_reward_zero_std=lambda i: 0.9, reward_std=lambda i: 0.2)
    assert not has(metrics, "no learning signal")


# Gradient-norm spike -------------------------------------------------------------------------------------

def test_grad_norm_spike_fires():
    metrics = _run(grad_norm=lambda i: 1.0 + 0.1 * (i % 2) if i < STEPS - 1 else 40.0)
    alert = next(a for a in check_health(metrics) if "gradient-norm spike" in a.title)
    assert "40" in alert.title


def test_grad_norm_modest_bump_is_silent():
    metrics = _run(grad_norm=lambda i: 1.0 if i < STEPS - 1 else 5.0)
    assert not has(metrics, "spike")


def test_grad_norm_too_few_points_is_silent():
    metrics = [{"step": i, "grad_norm": v} for i, v in enumerate([1.0, 1.0, 1.0, 100.0])]
    assert not has(metrics, "spike")


# Eval loss rising while train loss falls -----------------------------------------------------------------

def overfitting(eval_losses, train_slope=-0.05):
    records = _run(loss=lambda i: 2.0 + train_slope * i)
    return records + [{"step": 6 * (k + 1), "eval_loss": v} for k, v in enumerate(eval_losses)]


def test_eval_loss_rising_while_train_falls_fires():
    assert has(overfitting([1.5, 1.4, 1.7]), "eval loss is rising")


def test_eval_loss_rising_with_train_rising_is_not_overfitting():
    assert not has(overfitting([1.5, 1.4, 1.7], train_slope=+0.05), "eval loss")


def test_eval_loss_falling_is_silent():
    assert not has(overfitting([1.5, 1.4, 1.35]), "eval loss")


def test_eval_loss_needs_three_points():
    assert not has(overfitting([1.4, 1.9]), "eval loss")


# Every alert says what to try ------------------------------------------------------------------------------

TRIGGERS = {
    "nan": [{"step": 1, "loss": None, "nonfinite": ["loss"]}],
    "displacement": _run(rewards__chosen=lambda i: -0.2 * i, rewards__margins=lambda i: 0.3 * i),
    "saturating": _run(rewards__accuracies=lambda i: 1.0, rewards__margins=lambda i: 8.0),
    "kl": _run(kl=lambda i: 30.0),
    "grpo": _run(reward_std=lambda i: 0.0),
    "spike": _run(grad_norm=lambda i: 1.0 if i < STEPS - 1 else 50.0),
    "overfit": overfitting([1.5, 1.4, 1.7]),
}
ACTIONS = ("lower", "raise", "stop", "use", "train", "add", "make", "set", "check", "look", "keep")


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_each_trigger_raises_exactly_its_alert_with_advice(name):
    alerts = check_health(TRIGGERS[name])
    assert len(alerts) == 1, [a.title for a in alerts]
    alert = alerts[0]
    assert isinstance(alert, Alert) and alert.level in ("error", "warning")
    words = {w.strip(".,():;").lower() for w in alert.advice.split()}
    assert words & set(ACTIONS), f"advice says nothing to try: {alert.advice}"
    assert alert.advice.rstrip().endswith(".")
    assert alert.advice in alert.markdown() and alert.title in alert.markdown()


def test_all_seven_alerts_are_distinct():
    assert len({check_health(m)[0].title.split("(")[0] for m in TRIGGERS.values()}) == len(TRIGGERS)


def test_markdown_joins_several_alerts_with_their_levels():
    metrics = TRIGGERS["nan"] + TRIGGERS["kl"]
    text = health_markdown(metrics)
    assert text.count("**Problem:") == 1 and text.count("**Watch out:") == 1
    assert "no problems" not in text
