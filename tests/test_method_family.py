"""The DPO family and RLOO: DPO's loss as a choice (every TRL loss offered, a picked one reaches the DPOConfig, a
misspelt one is refused with the nearest), SimPO/CPO and RLOO as methods of their own (configs that run on a CPU,
two tiny training steps writing their curves' keys), their place in the tree, the table and the arena, and the
health checks that watch them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from studio.methods import METHODS
from studio.methods.registry import comparison_rows, recommend_method
from studio.training.health import check_health
from studio.training.runs import RunFolder, read_metrics
from studio.training.spec import load_spec, preset_path, spec_from_dict

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "presets" / "data"
PAIRS = str(DATA / "dpo_helpful_pairs.jsonl")
ARITHMETIC = str(DATA / "grpo_arithmetic.jsonl")
DPO_LOSSES = [o.value for o in METHODS["dpo"].options["loss_type"]]


def _config(spec, tmp_path):
    from studio.methods.common import build_config
    from studio.models import placement

    return build_config(METHODS[spec.method], spec, RunFolder(tmp_path / "run"), placement(prefer_cpu=True))


# DPO's loss as a choice ---------------------------------------------------------------------------------------

def test_the_offered_dpo_losses_are_exactly_the_ones_trl_implements():
    """Property: the table neither offers a loss TRL 1.16 lacks nor hides one it has (read from DPOConfig's help)."""
    from trl import DPOConfig

    help_text = next(f for f in dataclasses.fields(DPOConfig) if f.name == "loss_type").metadata["help"]
    assert set(DPO_LOSSES) == set(re.findall(r"`'(\w+)'`", help_text))
    assert DPO_LOSSES[0] == "sigmoid"  # TRL's default comes first, as the picker's default
    for name in ("sigmoid", "ipo", "hinge", "robust", "apo_zero", "sppo_hard"):
        option = METHODS["dpo"].option("loss_type", name)
        assert option.fits and option.beta, name  # when it fits, and its β guidance


def test_the_offered_cpo_losses_are_the_ones_its_config_names():
    from trl.experimental.cpo import CPOConfig

    choices = next(f for f in dataclasses.fields(CPOConfig) if f.name == "loss_type").metadata["choices"]
    assert {o.value for o in METHODS["cpo"].options["loss_type"]} == set(choices)


@pytest.mark.parametrize("loss", DPO_LOSSES)
def test_each_loss_written_in_a_preset_reaches_the_dpo_config(loss, tmp_path):
    """Property: the loss a preset names is the loss TRL's DPOConfig gets (with the settings it needs)."""
    values = {"method": "dpo", "dataset": PAIRS, "loss_type": loss, **METHODS["dpo"].option("loss_type", loss).needs}
    config = _config(spec_from_dict(values), tmp_path)
    assert config.loss_type == [loss]
    assert config.bf16 is False and config.use_cpu is True  # TRL's bf16 default would fail on a CPU


def test_a_combination_of_losses_reaches_the_config_with_its_weights(tmp_path):
    spec = spec_from_dict({"method": "dpo", "dataset": PAIRS, "loss_type": ["sigmoid", "sft"],
                           "loss_weights": [1.0, 0.2]})
    config = _config(spec, tmp_path)
    assert config.loss_type == ["sigmoid", "sft"] and config.loss_weights == [1.0, 0.2]


def test_the_train_tab_loss_picker_writes_loss_type_into_the_draft(tmp_path):
    """Property: picking a loss on the Train tab changes what Start runs; the loss in place changes nothing."""
    from studio.training.spec import spec_from_yaml
    from studio.ui import train_tab

    spec = train_tab.demo_spec("dpo")
    assert train_tab.fields_of(spec)[train_tab.QUICK_FIELDS.index("loss")] == "sigmoid"
    before = spec.to_yaml()
    assert train_tab.apply_field(spec, "loss", "sigmoid").to_yaml() == before  # TRL's default: nothing written
    spec = train_tab.apply_field(spec, "loss", "ipo")
    reloaded = spec_from_yaml(spec.to_yaml())
    assert reloaded.training["loss_type"] == "ipo"
    assert _config(reloaded, tmp_path).loss_type == ["ipo"]
    exo = train_tab.apply_field(train_tab.demo_spec("dpo"), "loss", "exo_pair")
    assert exo.training["label_smoothing"] == 0.001  # EXO can't run with label_smoothing 0
    # positional calls keep working; the loss is an optional last argument
    values = train_tab.fields_of(reloaded)
    assert train_tab.apply_fields(reloaded, *values[:8]).training["loss_type"] == "ipo"
    assert train_tab.apply_fields(reloaded, *values[:8], None, "hinge").training["loss_type"] == "hinge"


def test_the_loss_picker_shows_for_methods_with_losses_only():
    from studio.ui import train_tab

    for method in METHODS:
        update = train_tab.field_updates(train_tab.demo_spec(method))[train_tab.QUICK_FIELDS.index("loss")]
        assert update["visible"] is (method in ("dpo", "cpo")), method
    update = train_tab.field_updates(train_tab.demo_spec("dpo"))[train_tab.QUICK_FIELDS.index("loss")]
    assert "Rafailov" in update["info"] and "β:" in update["info"]
    assert ("ipo — IPO", "ipo") in update["choices"]


def test_the_method_tab_lists_the_losses_with_their_beta_guidance():
    from studio.ui.method_tab import recommendation_markdown

    text = recommendation_markdown(recommend_method("preference"))
    assert "Choose `loss_type`" in text
    for option in METHODS["dpo"].options["loss_type"]:
        assert f"`{option.value}` — {option.fits}" in text
    assert "Choose `loss_type`" not in recommendation_markdown(recommend_method("prompt_only"))


@pytest.mark.parametrize("method, bad, nearest", [
    ("dpo", "sigmod", "sigmoid"), ("dpo", ["sigmoid", "ipoo"], "ipo"), ("dpo", "apo-zero", "apo_zero"),
    ("cpo", "simpoo", "simpo"),
])
def test_a_misspelt_loss_is_refused_naming_the_nearest(method, bad, nearest):
    """Property: a loss TRL doesn't have fails when the config is read (not minutes into a run), naming the fix."""
    with pytest.raises(ValueError, match=rf"Did you mean '{nearest}'\?"):
        spec_from_dict({"method": method, "dataset": PAIRS, "loss_type": bad})


def test_the_seeds_kto_pair_loss_points_to_the_kto_method():
    """Property: the loss the seed article names for KTO, which TRL removed, is refused with what to use instead."""
    with pytest.raises(ValueError, match="gone from TRL.*method: kto"):
        spec_from_dict({"method": "dpo", "dataset": PAIRS, "loss_type": "kto_pair"})


def test_a_misspelt_loss_in_a_preset_file_names_the_file(tmp_path):
    preset = tmp_path / "mine.yaml"
    preset.write_text(preset_path("dpo").read_text(encoding="utf-8") + "loss_type: hinj\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine\.yaml: loss_type: 'hinj'.*Did you mean 'hinge'"):
        load_spec(preset)


def test_the_train_tab_refuses_a_loss_that_isnt_one():
    from studio.ui import train_tab

    with pytest.raises(ValueError, match="Did you mean 'robust'"):
        train_tab.apply_field(train_tab.demo_spec("dpo"), "loss", "robus")


# SimPO / CPO and RLOO: configs and tiny runs ------------------------------------------------------------------

def test_the_simpo_demo_is_simpo_and_runs_on_a_cpu(tmp_path):
    config = _config(load_spec(preset_path("cpo")), tmp_path)
    assert (config.loss_type, config.cpo_alpha) == ("simpo", 0.0)
    assert config.beta == 2.0 and config.simpo_gamma == 1.0
    assert config.bf16 is False and config.use_cpu is True


def test_the_rloo_demo_takes_rule_rewards_and_runs_on_a_cpu(tmp_path):
    from studio.methods.rloo import reward_functions

    spec = load_spec(preset_path("rloo"))
    config = _config(spec, tmp_path)
    assert config.num_generations == 4 and config.beta == 0.05 and config.bf16 is False
    assert [f.__name__ for f in reward_functions(spec.extras)] == ["numeric_match", "short"]
    with pytest.raises(ValueError, match="RLOO needs a reward"):
        reward_functions({**spec.extras, "reward_funcs": []})


def _panel_keys(method: str) -> list[str]:
    return [k for keys in METHODS[method].panels.values() for k in keys if not k.startswith("eval_")]


def _train(method, dataset, tiny_model, runs_dir, **extra):
    from studio.training.runner import Runner

    values = {"method": method, "dataset": dataset, "model_name_or_path": tiny_model, "max_steps": 2,
              "per_device_train_batch_size": 2, "learning_rate": 1e-3, "holdout_rows": 0, **extra}
    runner = Runner(runs_dir)
    live = runner.start(spec_from_dict(values))
    runner.wait(timeout=300)
    return live


@pytest.mark.app
@pytest.mark.parametrize("method, dataset, extra", [
    ("cpo", PAIRS, {"loss_type": "simpo", "cpo_alpha": 0.0, "beta": 2.0, "simpo_gamma": 1.0, "max_length": 64}),
    ("cpo", PAIRS, {"loss_type": "sigmoid", "cpo_alpha": 1.0, "beta": 0.1, "max_length": 64}),
    ("rloo", ARITHMETIC, {"num_generations": 2, "max_completion_length": 8, "beta": 0.05,
                          "reward_funcs": ["numeric_match", "short"], "reward_weights": [1.0, 0.1]}),
])
def test_the_new_methods_train_two_steps_and_log_their_curves(method, dataset, extra, tiny_model, runs_dir):
    """Property: each new method trains on the tiny model and metrics.jsonl holds every key its curves draw."""
    live = _train(method, dataset, tiny_model, runs_dir, **extra)
    log = (live.run_dir / "train.log").read_text()
    assert live.state == "finished", f"{live.message}\n{log[-3000:]}"
    metrics = read_metrics(live.run_dir)
    assert [m["step"] for m in metrics if "loss" in m] == [1, 2]
    logged = {k for m in metrics for k in m}
    for key in _panel_keys(method):
        if "*" in key:
            prefix, suffix = key.split("*")
            assert any(k.startswith(prefix) and k.endswith(suffix) for k in logged), (key, sorted(logged))
        else:
            assert key in logged, (key, sorted(logged))
    if extra.get("cpo_alpha") == 0.0:
        assert all(m["nll_loss"] == 0 for m in metrics if "nll_loss" in m)  # SimPO: no NLL term (health reads it)
    tokens = [m["num_tokens"] for m in metrics if "loss" in m]  # tokens/s on the Train tab and in the arena
    assert len(tokens) == 2 and 0 < tokens[0] < tokens[1], tokens
    assert (live.run_dir / "adapter" / "adapter_config.json").is_file()


# The tree, the table and the arena --------------------------------------------------------------------------

@pytest.mark.parametrize("shape, answers, method", [
    ("preference", {"reference_free": "yes"}, "cpo"),
    ("prompt_only", {"rewards": "a reward model", "value_model": "no, leave-one-out baseline (RLOO)"}, "rloo"),
    ("preference", {"online": "online (model generates)", "rewards": "a reward model",
                    "value_model": "no, leave-one-out baseline (RLOO)"}, "rloo"),
    # the seed's defaults are unchanged
    ("preference", {}, "dpo"), ("prompt_only", {}, "grpo"), ("prompt_only", {"rewards": "a reward model"}, "ppo"),
    ("preference", {"single_stage": "yes"}, "orpo"),
])
def test_the_tree_reaches_simpo_and_rloo_and_keeps_the_seeds_defaults(shape, answers, method):
    rec = recommend_method(shape, answers)
    assert rec.method == method and shape in METHODS[method].shapes


def test_the_data_answers_the_new_question_for_prompts():
    """Prompts alone can't train offline, so the data (not a default) says no to reference-free offline."""
    step = next(s for s in recommend_method("prompt_only").path if s.question_id == "reference_free")
    assert (step.answer, step.source) == ("no", "data")


def test_the_tree_diagram_draws_both_new_leaves():
    from studio.ui.tree_diagram import LEAF_ON, tree_svg

    rec = recommend_method("preference", {"reference_free": "yes"})
    svg = tree_svg(rec.answers_taken, rec.method)
    assert "SimPO / CPO" in svg and "RLOO" in svg and svg.count(f'fill="{LEAF_ON}"') == 1


def test_the_table_holds_their_facts():
    rows = {r[0]: r for r in comparison_rows()}
    assert rows["SimPO / CPO"][1:5] == ["Offline", "1", "No", "No"]
    assert rows["RLOO"][1:5] == ["Online RL", "1–3", "Optional", "Optional"]
    names = [r[0] for r in comparison_rows()]
    assert names.index("SimPO / CPO") == names.index("ORPO") + 1 and names.index("RLOO") == names.index("GRPO") + 1
    assert METHODS["cpo"].verdict == "preference" and METHODS["rloo"].verdict == "answers"
    assert METHODS["rloo"].online and METHODS["rloo"].takes_rewards and not METHODS["cpo"].online


def test_the_arena_trains_cpo_on_pairs_and_rloo_against_the_arenas_reward_model(runs_dir):
    from studio.training.arena import methods_for, plan_arena

    assert {"cpo", "rloo"} <= set(methods_for("preference"))
    arena, specs = plan_arena(PAIRS, runs_dir, model="tiny", methods=["cpo", "rloo"], budget=8)
    assert [e.run.rsplit("-", 1)[-1] for e in arena.entries] == ["judge", "cpo", "reward", "rloo"]
    assert specs["cpo"].dataset.endswith("train.jsonl")  # the pairs as they are
    rloo = specs["rloo"]
    assert rloo.dataset.endswith("prompts.jsonl") and rloo.extras["reward_funcs"] == []
    assert "reward_weights" not in rloo.training  # the reward model, filled in when its stage finishes
    assert "ppo-reward" in specs


def test_the_arena_trains_rloo_on_prompts_with_its_rule_rewards(runs_dir):
    from studio.training.arena import methods_for, plan_arena

    assert methods_for("prompt_only") == ["grpo", "ppo", "rloo"]
    arena, specs = plan_arena(ARITHMETIC, runs_dir, model="tiny", methods=["grpo", "rloo"], budget=8)
    assert [e.method for e in arena.entries] == ["grpo", "rloo"]  # no reward-model stage: rules score
    assert specs["rloo"].extras["reward_funcs"] == ["numeric_match", "short"]
    assert specs["rloo"].verdict_judge == "answers"


def test_cpo_is_not_offered_where_there_are_no_pairs():
    from studio.training.arena import methods_for

    for shape in ("prompt_only", "prompt_completion", "unpaired_preference", "language_modeling"):
        assert "cpo" not in methods_for(shape)


# Health checks ----------------------------------------------------------------------------------------------

def _run(steps=18, **series) -> list[dict]:
    return [{"step": i + 1, **{k.replace("__", "/"): f(i) for k, f in series.items()}} for i in range(steps)]


def _titles(metrics) -> list[str]:
    return [a.title for a in check_health(metrics)]


def test_simpo_sinking_chosen_likelihood_fires():
    metrics = _run(loss=lambda i: 0.5, nll_loss=lambda i: 0.0, logps__chosen=lambda i: -1.0 - 0.1 * i,
                   logps__rejected=lambda i: -1.5 - 0.1 * i, rewards__margins=lambda i: 1.0)
    assert any("log-likelihood is falling" in t for t in _titles(metrics))


@pytest.mark.parametrize("change", [
    {"nll_loss": lambda i: 0.8},  # CPO: the NLL term holds chosen up, so the check stays quiet
    {"logps__chosen": lambda i: -1.0 - 0.005 * i},  # a drift, not a fall
])
def test_simpo_check_is_silent_when_nothing_sinks(change):
    series = {"loss": lambda i: 0.5, "nll_loss": lambda i: 0.0, "logps__chosen": lambda i: -1.0 - 0.1 * i,
              "rewards__margins": lambda i: 1.0, **change}
    assert check_health(_run(**series)) == []


def test_rloo_falling_reward_fires_and_a_rising_one_does_not():
    falling = _run(reward=lambda i: 0.8 - 0.04 * i, reward_std=lambda i: 0.3, kl=lambda i: 0.01)
    assert any("mean reward is falling" in t for t in _titles(falling))
    rising = _run(reward=lambda i: 0.2 + 0.03 * i, reward_std=lambda i: 0.3, kl=lambda i: 0.01)
    assert check_health(rising) == []


def test_rloo_cut_off_answers_fire():
    cut = _run(reward=lambda i: 0.5, reward_std=lambda i: 0.3, completions__clipped_ratio=lambda i: 1.0)
    assert _titles(cut) == ["almost every answer is cut off at max_completion_length"]
    fine = _run(reward=lambda i: 0.5, reward_std=lambda i: 0.3, completions__clipped_ratio=lambda i: 0.4)
    assert check_health(fine) == []


def test_rloo_groups_without_reward_spread_fire_as_for_grpo():
    flat = _run(reward=lambda i: 0.5, reward_std=lambda i: 0.0, frac_reward_zero_std=lambda i: 1.0)
    assert any("same reward" in t for t in _titles(flat))
