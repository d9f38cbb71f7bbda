"""PPO's arithmetic as pure tensor functions: masks, KL estimates, per-token rewards, GAE, whitening and the two
clipped losses, plus the adaptive KL controller.

Shapes are (batch, response tokens) unless said otherwise; `mask` is True on the tokens the policy wrote (up
to and including the first end-of-sequence token) and False on the padding after it. Nothing here knows about
models, tokenizers or the Trainer, so tests check every formula against numbers worked out by hand.
References: Ziegler et al. 2019 (KL-penalised reward, adaptive KL), Schulman et al. 2016 (GAE) and 2017 (PPO),
Huang et al. 2024 "The N+ implementation details of RLHF with PPO" (the per-token layout TRL used).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


def response_mask(response_ids: torch.Tensor, eos_ids: list[int]) -> torch.Tensor:
    """True up to and including the first end-of-sequence token of each row (every token when there is none)."""
    is_eos = torch.isin(response_ids, torch.tensor(eos_ids, device=response_ids.device))
    eos_before = (is_eos.long().cumsum(1) - is_eos.long()) > 0
    return ~eos_before


def masked_mean(values: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    mask = mask.to(values.dtype)
    values = torch.where(mask.bool(), values, torch.zeros_like(values))  # padding may hold NaN/inf
    if dim is None:
        return values.sum() / mask.sum().clamp(min=1)
    return values.sum(dim) / mask.sum(dim).clamp(min=1)


def masked_var(values: torch.Tensor, mask: torch.Tensor, unbiased: bool = True) -> torch.Tensor:
    mean = masked_mean(values, mask)
    variance = masked_mean((values - mean) ** 2, mask)
    count = mask.sum()
    if unbiased and count > 1:
        variance = variance * count / (count - 1)  # Bessel's correction, as TRL and OpenAI's lm-human-preferences
    return variance


def masked_whiten(values: torch.Tensor, mask: torch.Tensor, shift_mean: bool = True) -> torch.Tensor:
    """(x − mean) / std over the masked entries; with `shift_mean=False` the mean is kept (used for rewards).
    Entries outside the mask come back as 0."""
    mean, variance = masked_mean(values, mask), masked_var(values, mask)
    whitened = (values - mean) * torch.rsqrt(variance + 1e-8)
    if not shift_mean:
        whitened = whitened + mean
    return torch.where(mask.bool(), whitened, torch.zeros_like(whitened))


def kl_per_token(logprobs: torch.Tensor, ref_logprobs: torch.Tensor, estimator: str = "k1") -> torch.Tensor:
    """Per-token estimate of KL(policy‖reference) from the sampled tokens' log-probabilities.

    k1 is the plain log-ratio log π(y)/π_ref(y): unbiased, can be negative per token. k3 is
    (r − 1) − log r with r = π_ref(y)/π(y): also unbiased, never negative, lower variance (Schulman's note).
    """
    log_ratio = logprobs - ref_logprobs
    if estimator == "k1":
        return log_ratio
    if estimator == "k3":
        return torch.expm1(-log_ratio) + log_ratio
    raise ValueError(f"kl_estimator must be 'k1' or 'k3', got {estimator!r}.")


def token_rewards(scores: torch.Tensor, kl: torch.Tensor, mask: torch.Tensor, kl_coef: float) -> torch.Tensor:
    """Per-token reward: −β·KL on every written token, plus the sequence's score on its last written token."""
    rewards = torch.where(mask, -kl_coef * kl, torch.zeros_like(kl))
    last = mask.long().sum(1).clamp(min=1) - 1  # index of the last written token (the EOS when there is one)
    rows = torch.arange(rewards.shape[0], device=rewards.device)
    rewards[rows, last] += scores.to(rewards.dtype)
    return rewards


def gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float,
        lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation backwards over the tokens → (advantages, returns = advantages + values).

    δ_t = r_t + γ·V_{t+1} − V_t, A_t = δ_t + γλ·A_{t+1}; past the last written token V and A are 0 (the episode
    has ended), so padding never leaks into the written tokens' advantages.
    """
    zeros = torch.zeros_like(values)
    rewards, values = torch.where(mask, rewards, zeros), torch.where(mask, values, zeros)
    length = rewards.shape[1]
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(length)):
        next_value = values[:, t + 1] if t + 1 < length else torch.zeros_like(running)
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        running = delta + gamma * lam * running
        advantages[:, t] = running
    advantages = torch.where(mask, advantages, zeros)
    return advantages, advantages + values


def clipped_policy_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor,
                        mask: torch.Tensor, cliprange: float) -> tuple[torch.Tensor, dict]:
    """PPO's clipped surrogate: mean over tokens of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = π/π_old.

    Returns the loss and stats: clipfrac (share of tokens where the clipped term won), approxkl
    (½·mean (log ρ)², the estimator TRL and OpenAI log) and the mean ratio.
    """
    log_ratio = logprobs - old_logprobs
    ratio = torch.exp(log_ratio)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1.0 - cliprange, 1.0 + cliprange)
    loss = masked_mean(torch.maximum(unclipped, clipped), mask)
    with torch.no_grad():
        stats = {"clipfrac": masked_mean((clipped > unclipped).float(), mask),
                 "approxkl": 0.5 * masked_mean(log_ratio ** 2, mask),
                 "ratio": masked_mean(ratio, mask)}
    return loss, stats


def clipped_value_loss(values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor,
                       cliprange_value: float) -> tuple[torch.Tensor, dict]:
    """½·mean over tokens of max((V − R)², (V_clipped − R)²), V_clipped = V_old + clip(V − V_old, ±ε_v).

    Returns the loss and stats: clipfrac (share of tokens where the clipped error was the larger one).
    """
    clipped_values = old_values + torch.clamp(values - old_values, -cliprange_value, cliprange_value)
    unclipped_error = (values - returns) ** 2
    clipped_error = (clipped_values - returns) ** 2
    loss = 0.5 * masked_mean(torch.maximum(unclipped_error, clipped_error), mask)
    with torch.no_grad():
        stats = {"clipfrac": masked_mean((clipped_error > unclipped_error).float(), mask)}
    return loss, stats


def sampled_logprobs(logits: torch.Tensor, token_ids: torch.Tensor) -> torch.Tensor:
    """log softmax(logits)[token] without materialising the whole log-softmax a second time."""
    picked = logits.gather(-1, token_ids.unsqueeze(-1)).squeeze(-1)
    return picked - torch.logsumexp(logits, dim=-1)


def entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of each position's next-token distribution (nats)."""
    log_norm = torch.logsumexp(logits, dim=-1)
    return log_norm - (torch.softmax(logits, dim=-1) * logits).sum(-1)


@dataclass
class KLController:
    """β for the KL penalty: fixed, or adaptive (Ziegler et al. 2019) when `target` is set.

    The adaptive rule nudges β by at most ±20% × n_steps/horizon per update: up when the measured KL is above
    the target, down when below, so the policy settles near the KL budget the user chose.
    """

    value: float
    target: float | None = None
    horizon: int = 10_000

    def update(self, current_kl: float, n_steps: int) -> float:
        if self.target is None:
            return self.value
        proportional_error = min(max(current_kl / self.target - 1.0, -0.2), 0.2)
        self.value *= 1.0 + proportional_error * n_steps / self.horizon
        return self.value
