"""The verdict's statistics: counts, a 95% interval, and a word that can come out "no clear change" or
"regressed" as readily as "improved"; and the pairwise judge's both-orders rule."""

from __future__ import annotations

import pytest

from studio.evaluation import stats
from studio.evaluation.judges import Judged, PairwiseJudge, ReferenceJudge, RewardsJudge, outcome_of, token_f1


def test_wilson_interval_is_honest_for_small_counts():
    low, high = stats.wilson(8, 8)
    assert 0.65 < low < 0.7 and high == 1.0  # 8 of 8 is good evidence, not certainty
    low, high = stats.wilson(2, 2)
    assert low < 0.5  # 2 of 2 is not enough to say anything
    assert stats.wilson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("outcomes, word", [
    (["win"] * 20 + ["loss"] * 4, "improved"),
    (["loss"] * 20 + ["win"] * 4, "regressed"),
    (["tie"] * 30, "no clear change"),  # a model that didn't move
    (["win"] * 8 + ["loss"] * 7 + ["tie"] * 15, "no clear change"),  # float noise
    (["win", "win"], "no clear change"),  # too few to tell
    ([], "no clear change"),
])
def test_the_word_follows_the_interval(outcomes, word):
    tally = stats.tally(outcomes)
    assert tally.word == word
    data = tally.to_dict()
    assert data["n"] == len(outcomes) and data["verdict"] == word
    assert data["ci_low"] <= data["win_rate"] <= data["ci_high"]


def test_ties_count_half():
    assert stats.tally(["win", "tie", "loss", "tie"]).win_rate == 0.5


def test_flips_read_only_the_pairs_that_changed():
    same = [True, False, True] * 10
    assert stats.flips(same, same)["verdict"] == "no clear change"
    gained = stats.flips([False] * 20 + [True] * 10, [True] * 30)
    assert gained["gained"] == 20 and gained["verdict"] == "improved" and gained["after"] == 1.0
    assert stats.flips([True] * 30, [False] * 20 + [True] * 10)["verdict"] == "regressed"


def test_proportion_against_chance():
    assert stats.proportion(29, 30)["verdict"] == "improved"
    assert stats.proportion(15, 30)["verdict"] == "no clear change"


def test_outcomes_and_simple_judges():
    assert outcome_of(1.0, 1.0) == "tie" and outcome_of(0.2, 0.9) == "win" and outcome_of(0.9, 0.2) == "loss"
    assert token_f1("Paris is the capital", "The capital is Paris") == 1.0 and token_f1("no", "yes") == 0.0
    judge = ReferenceJudge(["the capital of France is Paris", "two"])
    verdicts = judge.judge(["q1", "q2"], ["I do not know", "2"], ["Paris is the capital of France", "2"], [{}, {}])
    assert [v.outcome for v in verdicts] == ["win", "tie"]  # identical answers are a tie, always

    def short(completions, **kwargs):
        return [1.0 if len(c[0]["content"]) < 10 else 0.0 for c in completions]

    rewards = RewardsJudge([short], [2.0])
    verdicts = rewards.judge(["q"], ["a very long rambling answer"], ["ok"], [{"prompt": "q"}])
    assert verdicts == [Judged(0.0, 2.0, "win")]


@pytest.mark.parametrize("first_a, first_b, outcome", [
    (0.9, 0.1, "win"),   # aligned preferred as A and as B
    (0.2, 0.8, "loss"),  # base preferred both ways
    (0.9, 0.9, "tie"),   # a judge that always picks A: position bias cancels
    (0.1, 0.1, "tie"),   # …or always B
])
def test_pairwise_counts_a_win_only_when_both_orders_agree(monkeypatch, first_a, first_b, outcome):
    judge = PairwiseJudge.__new__(PairwiseJudge)  # the rule, without loading a model
    answers = {("aligned", "base"): first_a, ("base", "aligned"): first_b}
    monkeypatch.setattr(judge, "_prefers_first", lambda prompt, a, b: answers[(a, b)], raising=False)
    (verdict,) = judge.judge(["q"], ["base"], ["aligned"], [{}])
    assert verdict.outcome == outcome
