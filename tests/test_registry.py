"""Method registry: the decision tree gives the seed's answer for each dataset shape and answer set."""

from __future__ import annotations

import pytest

from studio.data.formats import SHAPES
from studio.methods.registry import (
    ANSWERS_FROM_SHAPE,
    COMPARISON_HEADERS,
    METHODS,
    TREE,
    TREE_ROOT,
    comparison_rows,
    recommend_method,
)


@pytest.mark.parametrize("shape, answers, method", [
    ("language_modeling", {}, "sft"),
    ("prompt_completion", {}, "sft"),
    ("preference", {}, "dpo"),
    ("preference", {"single_stage": "yes"}, "orpo"),
    ("preference", {"online": "online (model generates)"}, "grpo"),
    ("unpaired_preference", {}, "kto"),
    ("prompt_only", {}, "grpo"),
    ("prompt_only", {"rewards": "a reward model"}, "ppo"),
    ("prompt_only", {"rewards": "rule-based rewards"}, "grpo"),
])
def test_recommendation_for_each_shape(shape, answers, method):
    rec = recommend_method(shape, answers)
    assert rec.method == method
    assert rec.spec is METHODS[method]
    assert shape in METHODS[method].shapes  # the method can train on the data it was recommended for


def test_preference_data_online_with_a_reward_model_is_ppo():
    rec = recommend_method("preference", {"online": "online (model generates)", "rewards": "a reward model"})
    assert rec.method == "ppo"


def test_every_reachable_method_lists_the_shape_it_was_reached_from():
    import itertools

    choices = [[None, *TREE[q].answers] for q in TREE]
    for shape in SHAPES:
        for combo in itertools.product(*choices):
            answers = {q: a for q, a in zip(TREE, combo) if a is not None}
            method = recommend_method(shape, answers).method
            assert shape in METHODS[method].shapes, (shape, answers, method)


@pytest.mark.parametrize("answers, method", [
    ({}, "dpo"),  # every question takes the seed's default
    ({"preference": "no, only instructions"}, "sft"),
    ({"pairing": "unpaired (thumbs up/down)"}, "kto"),
    ({"single_stage": "yes"}, "orpo"),
])
def test_without_data_the_user_answers_or_defaults_decide(answers, method):
    assert recommend_method(None, answers).method == method


def test_path_sources_for_language_modeling():
    rec = recommend_method("language_modeling")
    assert [(s.question, s.answer, s.source) for s in rec.path] == [
        ("Do you have preference data?", "no, only instructions", "data")]


def test_path_sources_mix_data_you_and_default():
    rec = recommend_method("preference", {"online": "online (model generates)"})
    assert [(s.answer, s.source) for s in rec.path] == [
        ("yes", "data"),
        ("paired (chosen/rejected)", "data"),
        ("no", "default"),
        ("no", "default"),  # reference-free offline training (SimPO)? no
        ("online (model generates)", "you"),
        ("rule-based rewards", "default"),
    ]
    assert rec.method == "grpo"


def test_path_sources_for_prompt_only_with_a_reward_model():
    rec = recommend_method("prompt_only", {"rewards": "a reward model"})
    assert [s.source for s in rec.path] == ["data", "data", "data", "data", "data", "you", "default"]
    assert rec.path[-2].answer == "a reward model"
    assert rec.path[-1].answer == "yes (PPO)"  # a value model beside the policy: the seed's PPO


def test_the_data_wins_over_a_contradicting_answer():
    rec = recommend_method("preference", {"preference": "no, only instructions"})
    assert rec.method == "dpo"
    assert (rec.path[0].answer, rec.path[0].source) == ("yes", "data")


def test_unknown_question_raises():
    with pytest.raises(ValueError, match=r"unknown question 'budget'.*preference, pairing"):
        recommend_method("preference", {"budget": "low"})


def test_unknown_answer_raises_and_lists_the_choices():
    with pytest.raises(ValueError, match=r"'maybe' is not an answer to 'Want single-stage.*pick one of: yes, no"):
        recommend_method("preference", {"single_stage": "maybe"})


def test_answers_are_checked_even_when_the_data_answers_the_question():
    with pytest.raises(ValueError):
        recommend_method("preference", {"pairing": "sort of"})


@pytest.mark.parametrize("shape, alternatives", [
    ("language_modeling", []),
    ("prompt_completion", ["grpo", "rloo"]),
    ("preference", ["reward", "ppo", "orpo", "cpo", "grpo", "rloo"]),
    ("unpaired_preference", []),
    ("prompt_only", ["ppo", "rloo"]),
    (None, []),
])
def test_alternatives_are_other_methods_that_fit_the_shape(shape, alternatives):
    rec = recommend_method(shape)
    assert rec.alternatives == alternatives
    assert rec.method not in rec.alternatives


def test_reasons_explain_data_steps_and_method():
    rec = recommend_method("unpaired_preference")
    assert rec.reasons[0].startswith("Your data fits: the data marks single answers as good or bad")
    assert "Paired or unpaired? → unpaired (thumbs up/down) (from your data)." in rec.reasons
    assert rec.reasons[-1] == METHODS["kto"].summary
    defaulted = recommend_method("preference").reasons
    assert "Online or offline RL? → offline (fixed dataset) (the usual choice; change it if needed)." in defaulted


def test_to_dict():
    data = recommend_method("prompt_only", {"rewards": "a reward model"}).to_dict()
    assert data["method"] == "ppo"
    assert data["name"] == "RLHF (PPO)"
    assert data["path"][-2] == {"question_id": "rewards", "question": "Rule-based rewards, or a reward model?",
                                "answer": "a reward model", "source": "you"}
    assert data["alternatives"] == ["grpo", "rloo"]


def test_comparison_table_has_nine_methods():
    rows = comparison_rows()
    assert len(rows) == 9 == len(METHODS)
    assert [r[0] for r in rows] == ["SFT", "Reward model", "RLHF (PPO)", "DPO", "KTO", "ORPO", "SimPO / CPO", "GRPO",
                                    "RLOO"]
    assert all(len(r) == len(COMPARISON_HEADERS) for r in rows)
    by_name = {r[0]: dict(zip(COMPARISON_HEADERS, r)) for r in rows}
    assert by_name["DPO"]["β range"] == "0.01 – 0.5"
    assert by_name["SFT"]["β range"] == "—"
    assert by_name["ORPO"]["Needs reference model"] == "No"
    assert by_name["RLHF (PPO)"]["Needs reward model"] == "Yes"


def test_tree_is_consistent():
    """Every answer leads to a question or a known method; every method but the reward model is reachable;
    every data-given answer is a real answer and every shape has one."""
    reached, stack = set(), [TREE_ROOT]
    while stack:
        node = stack.pop()
        if node.startswith("method:"):
            assert node.removeprefix("method:") in METHODS
            reached.add(node.removeprefix("method:"))
            continue
        question = TREE[node]
        assert question.default in question.answers
        stack.extend(question.answers.values())
    assert reached == set(METHODS) - {"reward"}
    assert set(ANSWERS_FROM_SHAPE) == set(SHAPES)
    for given in ANSWERS_FROM_SHAPE.values():
        for key, value in given.items():
            assert value in TREE[key].answers


# One descriptor per method ----------------------------------------------------------------------------------

def _leaves() -> set[str]:
    from studio.methods.registry import TREE

    return {target.removeprefix("method:") for q in TREE.values() for target in q.answers.values()
            if target.startswith("method:")}


@pytest.mark.parametrize("method_id", list(METHODS))
def test_every_method_has_its_presets_panels_and_a_place_in_the_tree(method_id):
    """Adding a method is one module plus two presets: a missing piece fails here, not on the Train tab."""
    from studio.training.spec import load_spec, preset_path

    method = METHODS[method_id]
    for demo in (True, False):
        path = preset_path(method_id, demo=demo)
        assert path.is_file(), f"{method_id} lacks {path.relative_to(path.parents[1 if demo else 0])}"
        assert load_spec(path).method == method_id
    assert method.panels and all(method.panels.values())
    leaves = _leaves()
    assert method_id in leaves or method.stage_of in leaves, f"no path of the decision tree leads to {method_id}"
    assert method.config_class() is not None


def test_the_tree_leads_only_to_methods_that_train():
    assert _leaves() <= set(METHODS)
