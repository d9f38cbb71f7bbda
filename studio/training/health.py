"""Health checks over a run's metrics: plain-word alerts, each with what to try.

Pure functions over the metrics list (the same one the curves draw), so the UI, the CLI and tests agree.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Alert:
    level: str  # "error" or "warning"
    title: str
    advice: str

    def markdown(self) -> str:
        return f"**{'Problem' if self.level == 'error' else 'Watch out'}: {self.title}.** {self.advice}"


def _series(metrics: list[dict], key: str) -> list[float]:
    return [float(m[key]) for m in metrics if isinstance(m.get(key), (int, float)) and not isinstance(m.get(key), bool)]


def _trend(values: list[float]) -> float:
    """Mean of the last third minus mean of the first third (0 when too short to tell)."""
    if len(values) < 6:
        return 0.0
    third = len(values) // 3
    return statistics.fmean(values[-third:]) - statistics.fmean(values[:third])


def check_health(metrics: list[dict]) -> list[Alert]:
    alerts: list[Alert] = []
    losses = [m.get("loss") for m in metrics if "loss" in m]
    if any(isinstance(v, float) and not math.isfinite(v) for v in losses) or \
            any({"loss", "grad_norm"} & set(m.get("nonfinite") or ()) for m in metrics):
        alerts.append(Alert("error", "the loss (or its gradient) is NaN or infinite",
                            "The run was stopped. Lower the learning rate (try 10× lower), check the data for "
                            "empty or huge rows, and keep max_length modest."))
    chosen, margins = _series(metrics, "rewards/chosen"), _series(metrics, "rewards/margins")
    if chosen and margins and _trend(chosen) < -0.5 and _trend(margins) > 0.5:
        alerts.append(Alert("warning", "chosen answers are getting less likely while the margin grows",
                            "This is likelihood displacement: the model pushes rejected answers down faster than "
                            "it keeps chosen ones. Lower the learning rate, raise β, or train SFT on the chosen "
                            "answers first (or use ORPO, whose NLL term holds them up)."))
    # SimPO (CPOTrainer with cpo_alpha 0 logs nll_loss as exactly 0): nothing holds the chosen answers up.
    nll, chosen_logps = _series(metrics, "nll_loss"), _series(metrics, "logps/chosen")
    if not any("less likely" in a.title for a in alerts) and len(chosen_logps) >= 6 and nll and \
            max(abs(v) for v in nll) == 0:
        start = statistics.fmean(chosen_logps[: len(chosen_logps) // 3])
        if _trend(chosen_logps) < -max(0.3, 0.15 * abs(start)):
            alerts.append(Alert("warning", "the chosen answers' log-likelihood is falling with no NLL term to hold "
                                           "it up",
                                "SimPO (cpo_alpha 0) only asks chosen to beat rejected, so both can sink and the "
                                "model forgets how to write its good answers. Set cpo_alpha to 0.05–1 (CPO's NLL "
                                "term on chosen), lower the learning rate, or lower simpo_gamma."))
    accuracies = _series(metrics, "rewards/accuracies") or _series(metrics, "accuracy")  # DPO/ORPO, reward model
    pair_margins = margins or _series(metrics, "margin")
    if len(accuracies) >= 10 and min(accuracies[-5:]) >= 0.99 and pair_margins and \
            statistics.fmean(pair_margins[-5:]) > 5:
        alerts.append(Alert("warning", "the margins are saturating",
                            "Every pair is already separated by a wide margin, so more steps mostly overfit. "
                            "Stop here, or use fewer steps, a lower learning rate or a smaller β next time."))
    for key in ("kl", "objective/kl"):
        kl = _series(metrics, key)
        if kl and (kl[-1] > 10 or (len(kl) >= 6 and kl[-1] > 5 * max(statistics.fmean(kl[: len(kl) // 3]), 0.1))):
            alerts.append(Alert("warning", f"the KL to the reference is exploding ({kl[-1]:.3g})",
                                "The policy is drifting far from where it started, which is where reward hacking "
                                "lives. Raise β (the KL penalty), lower the learning rate, or stop earlier."))
            break
    zero_std = _series(metrics, "frac_reward_zero_std")
    reward_std = _series(metrics, "reward_std")
    if (len(zero_std) >= 5 and min(zero_std[-5:]) >= 0.99) or (len(reward_std) >= 5 and max(reward_std[-5:]) == 0):
        alerts.append(Alert("warning", "every answer in a group gets the same reward: no learning signal",
                            "GRPO learns from differences within a group. Make the task easier or the reward "
                            "more graded (add a partial-credit reward), raise num_generations or the temperature."))
    for key in ("reward", "objective/scores"):  # GRPO and RLOO; PPO
        rewards = _series(metrics, key)
        if len(rewards) >= 9:
            start = statistics.fmean(rewards[: len(rewards) // 3])
            if _trend(rewards) < -max(0.1, 0.2 * abs(start)):
                alerts.append(Alert("warning", f"the mean reward is falling ({start:.3g} → "
                                               f"{statistics.fmean(rewards[-(len(rewards) // 3):]):.3g})",
                                    "Online RL should raise its reward; a steady fall means the updates are too "
                                    "large or the KL penalty outweighs the reward. Lower the learning rate, lower β "
                                    "if the KL term dominates, or stop at the best checkpoint."))
                break
    clipped = _series(metrics, "completions/clipped_ratio")
    if len(clipped) >= 5 and min(clipped[-5:]) >= 0.9:
        alerts.append(Alert("warning", "almost every answer is cut off at max_completion_length",
                            "The rewards judge unfinished answers, so the policy can't learn how to end one. Raise "
                            "max_completion_length, add the short reward to favour brief answers, or set "
                            "mask_truncated_completions: true so cut-off answers don't count."))
    grads = _series(metrics, "grad_norm")
    if len(grads) >= 8:
        baseline = statistics.median(grads[:-1])
        if baseline > 0 and grads[-1] > 10 * baseline:
            spike = f"a gradient-norm spike ({grads[-1]:.3g}, {grads[-1] / baseline:.0f}× usual)"
            alerts.append(Alert("warning", spike,
                                "One batch pushed the weights hard. If it repeats, lower the learning rate, set "
                                "max_grad_norm (e.g. 1.0) or look for outlier rows in the data."))
    eval_loss = _series(metrics, "eval_loss")
    train_loss = [v for v in losses if isinstance(v, (int, float)) and math.isfinite(v)]
    if len(eval_loss) >= 3 and eval_loss[-1] > min(eval_loss) * 1.05 and _trend(train_loss) < 0:
        alerts.append(Alert("warning", "the eval loss is rising while the training loss falls",
                            "The model is overfitting the training rows. Stop at the best eval point, train "
                            "fewer steps, or add data."))
    return alerts


def health_markdown(metrics: list[dict]) -> str:
    alerts = check_health(metrics)
    if not alerts:
        return "**Health:** no problems seen." if metrics else ""
    return "\n\n".join(alert.markdown() for alert in alerts)
