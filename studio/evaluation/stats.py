"""Honest statistics for a verdict: win / tie / loss, a win rate with its 95% interval, and a word from it.

A prompt scores 1 when the aligned answer is judged better, 0 when the base's is, ½ for a tie (identical
answers, or a judge that can't tell). The win rate is the mean score; its interval is Wilson's score interval
at 95% (ties counting half a success), which stays honest for small counts: 8 wins of 8 reads
"improved" only because even the interval's low end (0.68) is above an even split. The word follows the
interval: *improved* when all of it lies above ½, *regressed* when all of it lies below, *no clear change*
otherwise — so float noise in scores, or a model that didn't move, reads "no clear change".

Our own code because the stack has no such helper (scipy is not a dependency; Wilson's formula is three lines).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
IMPROVED, NO_CLEAR_CHANGE, REGRESSED = "improved", "no clear change", "regressed"


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion (successes may be fractional: ties count half)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def verdict_word(low: float, high: float, even: float = 0.5) -> str:
    if low > even:
        return IMPROVED
    if high < even:
        return REGRESSED
    return NO_CLEAR_CHANGE


@dataclass(frozen=True)
class Tally:
    wins: int
    ties: int
    losses: int

    @property
    def n(self) -> int:
        return self.wins + self.ties + self.losses

    @property
    def win_rate(self) -> float:
        return (self.wins + 0.5 * self.ties) / self.n if self.n else 0.5

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.wins + 0.5 * self.ties, self.n)

    @property
    def word(self) -> str:
        return verdict_word(*self.interval) if self.n else NO_CLEAR_CHANGE

    def to_dict(self) -> dict:
        low, high = self.interval
        return {"wins": self.wins, "ties": self.ties, "losses": self.losses, "n": self.n,
                "win_rate": round(self.win_rate, 4), "ci_low": round(low, 4), "ci_high": round(high, 4),
                "verdict": self.word}


def tally(outcomes: list[str]) -> Tally:
    """Outcomes "win" / "tie" / "loss" (aligned vs base) → the counts."""
    return Tally(sum(o == "win" for o in outcomes), sum(o == "tie" for o in outcomes),
                 sum(o == "loss" for o in outcomes))


def proportion(successes: int, n: int, even: float = 0.5) -> dict:
    """A plain proportion with its interval and word (a reward model's pair accuracy against chance)."""
    low, high = wilson(successes, n)
    return {"successes": successes, "n": n, "rate": round(successes / n, 4) if n else None,
            "ci_low": round(low, 4), "ci_high": round(high, 4), "verdict": verdict_word(low, high, even)}


def flips(before: list[bool], after: list[bool]) -> dict:
    """Paired yes/no before and after (does the model prefer the chosen answer?): how many changed each way,
    and a word from the changed ones (McNemar's view: unchanged pairs say nothing about the change)."""
    gained = sum(1 for b, a in zip(before, after) if a and not b)
    lost = sum(1 for b, a in zip(before, after) if b and not a)
    moved = gained + lost
    low, high = wilson(gained, moved)
    return {"before": round(sum(before) / len(before), 4) if before else None,
            "after": round(sum(after) / len(after), 4) if after else None,
            "gained": gained, "lost": lost, "verdict": verdict_word(low, high) if moved else NO_CLEAR_CHANGE}
