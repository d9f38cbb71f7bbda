"""The pure helpers behind the UI tabs, tested without a browser (gradio is imported, never launched)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from studio.methods import TRAINABLE
from studio.methods.registry import ANSWERS_FROM_SHAPE, METHODS, TREE, recommend_method
from studio.training.spec import PROJECT_ROOT, preset_path, resolve_path, spec_from_yaml
from studio.ui import compare_tab, curves, data_tab, method_tab, runs_tab, train_tab, tree_diagram

SVG = "{http://www.w3.org/2000/svg}"


# create_app -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    import studio.ui

    return studio.ui.create_app(default_model="my-org/my-model", runs_dir=tmp_path_factory.mktemp("app-runs"))


def test_create_app_builds_blocks_with_every_tab(app):
    import gradio as gr

    assert isinstance(app, gr.Blocks)
    tabs = [b for b in app.blocks.values() if isinstance(b, gr.Tab)]
    labels = [t.label for t in tabs]
    for name in ("Data", "Method", "Train", "Compare", "Arena", "Feedback", "Runs"):
        assert sum(name in label for label in labels) == 1, labels
    # the top-level tabs in order (inner tabs have no ids)
    assert [t.id for t in tabs if t.id] == ["data", "method", "train", "compare", "arena", "feedback", "runs"]


def test_create_app_uses_the_default_model_in_the_train_tab(app):
    import gradio as gr

    model = next(b for b in app.blocks.values() if isinstance(b, gr.Dropdown) and b.label == "Model")
    assert model.value == "my-org/my-model"
    config = next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == "train-config")
    assert "model_name_or_path: my-org/my-model" in config.value
    assert any(isinstance(b, gr.Timer) for b in app.blocks.values())  # the live view pulls on a timer


# train_tab ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", list(TRAINABLE))
def test_demo_spec_for_every_trainable_method(method):
    spec = train_tab.demo_spec(method)
    assert spec.method == method
    assert resolve_path(spec.dataset).is_file()
    assert spec.training.get("max_steps", 0) > 0  # demos are step-bounded, CPU-sized
    other = train_tab.demo_spec(method, dataset="mine.jsonl", model="some/model")
    assert other.dataset == "mine.jsonl" and other.model_name == "some/model"
    assert spec_from_yaml(other.to_yaml()).to_flat() == other.to_flat()


@pytest.mark.parametrize("method", list(TRAINABLE))
def test_fields_round_trip_unchanged(method):
    spec = train_tab.demo_spec(method)
    before = spec.to_yaml()
    values = train_tab.fields_of(spec)
    assert len(values) == len(train_tab.QUICK_FIELDS)
    assert train_tab.apply_fields(spec, *values).to_yaml() == before


@pytest.mark.parametrize("method", list(TRAINABLE))
def test_apply_fields_rewrites_steps_lr_batch_beta_lora(method):
    spec = train_tab.demo_spec(method)
    old_beta = train_tab.fields_of(spec)[3]
    spec = train_tab.apply_fields(spec, 7, 3e-4, 2, 0.25, False, False, [], "")
    reloaded = spec_from_yaml(spec.to_yaml())  # the YAML is what Start runs
    assert reloaded.training["max_steps"] == 7
    assert reloaded.training["learning_rate"] == pytest.approx(3e-4)
    assert reloaded.training["per_device_train_batch_size"] == 2
    assert reloaded.model["use_peft"] is False
    assert "load_in_4bit" not in reloaded.model
    if METHODS[method].beta_name:
        assert reloaded.training["beta"] == 0.25
    else:  # methods without β do not get one written
        assert reloaded.training.get("beta") in (None, old_beta) and "beta" not in spec.training
    if not train_tab.uses_rule_rewards(method):
        assert "reward_funcs" not in reloaded.extras and "reward_weights" not in reloaded.training
    else:
        assert reloaded.extras["reward_funcs"] == [] and "reward_weights" not in reloaded.training
    fields = train_tab.fields_of(reloaded)
    assert fields[:3] == [7, pytest.approx(3e-4), 2] and fields[4] is False and fields[5] is False


def test_four_bit_forces_lora_and_unticking_removes_it():
    spec = train_tab.demo_spec("dpo")
    spec = train_tab.apply_fields(spec, 40, 5e-5, 4, 0.1, False, True, [], "")
    reloaded = spec_from_yaml(spec.to_yaml())
    assert reloaded.model["load_in_4bit"] is True and reloaded.model["use_peft"] is True
    assert train_tab.fields_of(reloaded)[4:6] == [True, True]
    spec = train_tab.apply_fields(reloaded, 40, 5e-5, 4, 0.1, False, False, [], "")
    assert "load_in_4bit" not in spec.model and spec.model["use_peft"] is False
    assert "load_in_4bit" not in spec.to_yaml()


def test_grpo_rewards_and_weights_rewrite_the_spec():
    spec = train_tab.demo_spec("grpo")
    spec = train_tab.apply_fields(spec, 10, 1e-5, 8, 0.001, True, False, ["exact_match", "think_format"], "2; 0.5")
    reloaded = spec_from_yaml(spec.to_yaml())
    assert reloaded.extras["reward_funcs"] == ["exact_match", "think_format"]
    assert reloaded.training["reward_weights"] == [2.0, 0.5]
    assert reloaded.training["beta"] == 0.001
    assert train_tab.fields_of(reloaded)[6:8] == [["exact_match", "think_format"], "2.0, 0.5"]


@pytest.mark.parametrize("weights", ["", "   ", None, " , "])
def test_grpo_empty_weights_remove_reward_weights(weights):
    spec = train_tab.demo_spec("grpo")
    assert spec.training["reward_weights"]  # the demo has them
    spec = train_tab.apply_fields(spec, 10, 1e-5, 8, 0.0, True, False, ["numeric_match"], weights)
    assert "reward_weights" not in spec.training
    assert "reward_weights" not in spec.to_yaml()
    assert train_tab.fields_of(spec)[7] == ""


def test_grpo_bad_weight_is_a_value_error():
    with pytest.raises(ValueError):
        train_tab.apply_fields(train_tab.demo_spec("grpo"), 10, 1e-5, 8, 0.0, True, False, ["short"], "1, heavy")


def test_preset_choices_lists_every_existing_preset():
    choices = train_tab.preset_choices()
    paths = [path for _, path in choices]
    expected = [str(p.relative_to(PROJECT_ROOT)) for m in TRAINABLE for p in (preset_path(m), preset_path(m, False))
                if p.is_file()]
    assert paths == expected and len(paths) >= len(TRAINABLE)
    for label, path in choices:
        assert (PROJECT_ROOT / path).is_file()
        method = Path(path).stem
        assert label.startswith(METHODS[method].name)
        assert ("demo" in label) == path.startswith("presets/demo/")
        assert ("recipe" in label) == (not path.startswith("presets/demo/"))
        assert spec_from_yaml((PROJECT_ROOT / path).read_text(encoding="utf-8"), where=path).method == method


def test_status_markdown_without_a_run():
    assert "No run yet" in train_tab.status_markdown(None)


def snapshot(**changes) -> dict:
    return {"run_id": "20250101-000000-dpo", "run_dir": "/tmp/x", "method": "dpo", "model": "m", "state": "running",
            "step": 10, "max_steps": 40, "started_at": 0.0, "elapsed": 20.0, "message": "", **changes}


def test_status_markdown_running_shows_progress_and_eta():
    text = train_tab.status_markdown(snapshot())
    assert text.startswith("**running**")
    assert "20250101-000000-dpo" in text and "DPO" in text
    assert "step 10/40 (25%)" in text and "20 s elapsed" in text
    assert "about 60 s left" in text  # 2 s a step, 30 steps to go


def test_status_markdown_finished_has_no_eta_and_shows_message():
    text = train_tab.status_markdown(snapshot(state="finished", step=40, message="Saved the adapter."))
    assert text.startswith("**finished**") and "step 40/40 (100%)" in text
    assert "left" not in text
    assert text.endswith("\n\nSaved the adapter.")


def test_status_markdown_before_the_trainer_knows_its_steps():
    text = train_tab.status_markdown(snapshot(state="starting", step=0, max_steps=0))
    assert "step 0/?" in text and "%" not in text and "left" not in text


# curves ---------------------------------------------------------------------------------------------------

def metrics_for(method: str, extra_rewards=("numeric_match", "short")) -> list[dict]:
    keys = {k for keys in curves.panels_of(method).values() for k in keys if "*" not in k}
    records = []
    for step in range(1, 6):
        record = {"step": step, "epoch": step / 5, "time": float(step), "unrelated/metric": 1.0}
        record.update({k: 0.1 * step for k in keys})
        if method == "grpo":
            for name in extra_rewards:
                record[f"rewards/{name}/mean"] = 0.2 * step
                record[f"rewards/{name}/std"] = 0.1  # not a mean: never drawn
        records.append(record)
    return records


@pytest.mark.parametrize("method", list(METHODS))
def test_figure_draws_every_panel_metric(method):
    fig = curves.figure(metrics_for(method), method)
    names = [trace.name for trace in fig.data]
    expected = [k for keys in curves.panels_of(method).values() for k in keys if "*" not in k]
    if method == "grpo":
        expected += ["rewards/numeric_match/mean", "rewards/short/mean"]
    assert sorted(names) == sorted(expected)
    assert len(names) == len(set(names))
    for trace in fig.data:
        assert list(trace.x) == [1, 2, 3, 4, 5]
    titles = [a.text for a in fig.layout.annotations]
    assert titles == list(curves.panels_of(method))


def test_figure_grpo_wildcard_expands_to_every_reward_function():
    fig = curves.figure(metrics_for("grpo", ("a", "b", "c")), "grpo")
    per_function = sorted(t.name for t in fig.data if t.name.startswith("rewards/"))
    assert per_function == ["rewards/a/mean", "rewards/b/mean", "rewards/c/mean"]


def test_figure_skips_missing_and_null_values():
    metrics = [{"step": 1, "loss": 1.0}, {"step": 2, "loss": None, "nonfinite": ["loss"]}, {"step": 3, "loss": 0.5},
               {"step": 3, "eval_loss": 0.9}]
    fig = curves.figure(metrics, "sft")
    assert [t.name for t in fig.data] == ["loss", "eval_loss"]  # the eval curve shares the loss panel
    assert list(fig.data[0].x) == [1, 3] and list(fig.data[0].y) == [1.0, 0.5]
    assert list(fig.data[1].x) == [3] and list(fig.data[1].y) == [0.9]


def test_figure_smoothing_is_an_exponential_moving_average():
    metrics = [{"step": i, "loss": v} for i, v in enumerate([1.0, 0.0, 1.0], start=1)]
    assert list(curves.figure(metrics, "sft", 0.5).data[0].y) == [1.0, 0.5, 0.75]
    assert list(curves.figure(metrics, "sft", 0.0).data[0].y) == [1.0, 0.0, 1.0]


def test_figure_empty_metrics_and_an_unknown_method_get_the_generic_panels():
    fig = curves.figure([], "no-such-method")  # a run folder of a method this studio no longer has
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == list(curves.GENERIC_PANELS)


# tree_diagram ---------------------------------------------------------------------------------------------

def parse_svg(text: str) -> list[ET.Element]:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return list(root)


def boxes(children: list[ET.Element]) -> list[tuple[ET.Element, ET.Element]]:
    """(rect, its label) pairs: each box is a <rect> followed by its <text>."""
    return [(el, children[i + 1]) for i, el in enumerate(children) if el.tag == f"{SVG}rect"]


def test_tree_svg_plain_is_valid_xml_with_every_question_and_leaf():
    children = parse_svg(tree_diagram.tree_svg())
    labels = [text.text for _, text in boxes(children)]
    for question in TREE.values():
        assert question.text in labels
    leaves = {t.removeprefix("method:") for q in TREE.values() for t in q.answers.values() if t.startswith("method:")}
    for leaf in leaves:
        assert METHODS[leaf].name in labels
    assert not any(rect.get("fill") == tree_diagram.LEAF_ON for rect, _ in boxes(children))
    assert not any(el.get("stroke") == tree_diagram.ON for el in children if el.tag == f"{SVG}line")


REACH = [("language_modeling", {}, "sft"), ("prompt_completion", {}, "sft"), ("unpaired_preference", {}, "kto"),
         ("preference", {}, "dpo"), ("preference", {"single_stage": "yes"}, "orpo"), ("prompt_only", {}, "grpo"),
         ("prompt_only", {"rewards": "a reward model"}, "ppo"),
         ("preference", {"online": "online (model generates)"}, "grpo")]


@pytest.mark.parametrize("shape,answers,method", REACH)
def test_tree_svg_highlights_the_reached_leaf_once(shape, answers, method):
    rec = recommend_method(shape, answers)
    assert rec.method == method
    svg = tree_diagram.tree_svg(rec.answers_taken, rec.method)
    children = parse_svg(svg)
    assert svg.count(f'fill="{tree_diagram.LEAF_ON}"') == 1
    lit = [(rect, text) for rect, text in boxes(children) if rect.get("fill") == tree_diagram.LEAF_ON]
    assert len(lit) == 1
    rect, text = lit[0]
    assert text.text == METHODS[method].name and text.get("font-weight") == "600"
    # the path: one highlighted edge and one visited question per answer taken
    on_lines = [el for el in children if el.tag == f"{SVG}line" and el.get("stroke") == tree_diagram.ON]
    assert len(on_lines) == len(rec.path)
    visited = [t.text for r, t in boxes(children) if r.get("stroke") == tree_diagram.ON]
    assert visited == [TREE[step.question_id].text for step in rec.path]


def test_tree_svg_boxes_do_not_overlap():
    rects = [el for el in parse_svg(tree_diagram.tree_svg()) if el.tag == f"{SVG}rect"]
    spans = [(float(r.get("x")), float(r.get("y")), float(r.get("x")) + float(r.get("width")),
              float(r.get("y")) + float(r.get("height"))) for r in rects]
    for i, a in enumerate(spans):
        for b in spans[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


# method_tab -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", list(ANSWERS_FROM_SHAPE))
def test_recommendation_markdown_names_method_and_reasons(shape):
    rec = recommend_method(shape)
    text = method_tab.recommendation_markdown(rec)
    assert text.startswith(f"## Recommended: {rec.spec.name}\n")
    assert rec.spec.trainer in text
    assert rec.reasons and all(f"- {reason}" in text for reason in rec.reasons)
    if rec.spec.beta_name:
        assert rec.spec.beta_range in text
    for alternative in rec.alternatives:
        assert METHODS[alternative].name in text.split("**Also fits this data:**")[1]
    assert "cannot be trained" not in text  # every method the tree leads to has a descriptor, so it trains


@pytest.mark.parametrize("method", list(METHODS))
def test_table_frame_marks_exactly_the_chosen_row(method):
    frame = method_tab.table_frame(method)
    marked = frame[frame["Method"].str.startswith("▶")]
    assert len(marked) == 1
    assert marked.iloc[0]["Method"] == f"▶ {METHODS[method].name}"
    assert len(frame) == len(METHODS)


def test_table_frame_marks_nothing_without_a_method():
    assert not method_tab.table_frame(None)["Method"].str.contains("▶").any()


# data_tab -------------------------------------------------------------------------------------------------

def write_jsonl(path: Path, rows: list, raw_lines=()) -> Path:
    lines = [json.dumps(r) for r in rows] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def good_pairs(tmp_path) -> Path:
    rows = [{"prompt": f"Question {i}?", "chosen": f"A kind answer {i}.", "rejected": f"Go away {i}."}
            for i in range(10)]
    return write_jsonl(tmp_path / "pairs.jsonl", rows)


@pytest.fixture
def bad_pairs(tmp_path) -> Path:
    rows = [{"prompt": f"Question {i}?", "chosen": f"Yes {i}.", "rejected": f"No {i}."} for i in range(9)]
    rows[2]["rejected"] = rows[2]["chosen"]
    rows[4]["chosen"] = ""
    return write_jsonl(tmp_path / "bad.jsonl", rows, raw_lines=["{not json"])


def test_data_tab_usable_report(good_pairs):
    from studio.data import inspect_dataset

    report, _ = inspect_dataset(good_pairs)
    assert report.usable
    text = data_tab.summary_markdown(report)
    assert "### pairs.jsonl" in text and "**10 rows**" in text and "JSONL" in text
    assert "`prompt`, `chosen`, `rejected`" in text
    assert "Preference pairs" in text and "(standard)" in text
    assert "**Ready to train.**" in text and "must be fixed" not in text
    findings = data_tab.findings_frame(report)
    assert list(findings.columns) == ["level", "where", "what to do"]
    assert findings.values.tolist() == [["—", "", "No problems found."]]
    preview = data_tab.preview_frame(report)
    assert list(preview.columns) == ["prompt", "chosen", "rejected"] and len(preview) == 10
    assert preview.iloc[3]["chosen"] == "A kind answer 3."


def test_data_tab_unusable_report(bad_pairs):
    from studio.data import inspect_dataset

    report, _ = inspect_dataset(bad_pairs)
    assert not report.usable
    text = data_tab.summary_markdown(report)
    assert f"**{len(report.errors)} error(s) must be fixed before training**" in text
    assert "Ready to train" not in text
    findings = data_tab.findings_frame(report)
    assert len(findings) == len(report.findings) >= 3
    assert set(findings["level"]) <= {"error", "warning"} and "error" in set(findings["level"])
    wheres = set(findings["where"])
    assert "line 10" in wheres  # the broken JSON line
    assert "line 3, column 'rejected'" in wheres  # chosen == rejected
    assert "line 5, column 'chosen'" in wheres  # empty chosen


def test_data_tab_small_conversational_file_warns_and_previews_messages(tmp_path):
    from studio.data import inspect_dataset

    rows = [{"messages": [{"role": "user", "content": f"Hi {i}"}, {"role": "assistant", "content": f"Arr {i}"}]}
            for i in range(3)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "chats.jsonl", rows))
    assert report.usable and report.warnings
    text = data_tab.summary_markdown(report)
    assert "(conversational)" in text and f"**Ready to train.** {len(report.warnings)} warning(s)." in text
    assert data_tab.findings_frame(report)["level"].tolist() == ["warning"]
    assert data_tab.preview_frame(report).iloc[1]["messages"] == "user: Hi 1 | assistant: Arr 1"


def test_data_tab_unknown_shape_is_unusable(tmp_path):
    from studio.data import inspect_dataset

    rows = [{"question": f"q{i}", "reply": f"r{i}"} for i in range(10)]
    report, _ = inspect_dataset(write_jsonl(tmp_path / "odd.jsonl", rows))
    text = data_tab.summary_markdown(report)
    assert not report.usable and "1 error(s) must be fixed" in text
    assert "rename the columns" in data_tab.findings_frame(report).iloc[0]["what to do"]


# runs_tab -------------------------------------------------------------------------------------------------

def fake_run(runs_dir: Path, name: str, status: dict, losses=(), adapter: bool = False) -> Path:
    folder = runs_dir / name
    folder.mkdir(parents=True)
    (folder / "status.json").write_text(json.dumps(status), encoding="utf-8")
    with open(folder / "metrics.jsonl", "w", encoding="utf-8") as handle:
        for step, loss in enumerate(losses, start=1):
            handle.write(json.dumps({"step": step, "loss": loss, "learning_rate": 1e-4}) + "\n")
    if adapter:
        (folder / "adapter").mkdir()
    return folder


@pytest.fixture
def fake_runs(runs_dir):
    a = fake_run(runs_dir, "20250101-100000-dpo", {
        "state": "finished", "method": "dpo", "model": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "dataset": "presets/data/dpo_helpful_pairs.jsonl", "step": 40, "max_steps": 40,
        "started_at": 1000.0, "finished_at": 1150.0}, losses=[0.69, 0.5, 0.61, 0.3, 0.42, 0.2], adapter=True)
    b = fake_run(runs_dir, "20250101-110000-sft", {
        "state": "stopped", "method": "sft", "model": "/models/tiny", "dataset": "/data/chats.jsonl",
        "step": 5, "max_steps": 60, "started_at": 2000.0, "updated_at": 2030.0, "message": "stopped by you"},
        losses=[2.0, 1.0, 1.8, 0.9, 1.5])
    c = fake_run(runs_dir, "20250101-120000-kto", {
        "state": "failed", "method": "kto", "model": "m", "dataset": "d", "step": 0, "max_steps": 40,
        "started_at": 3000.0, "finished_at": 3001.0, "message": "bad data"})
    (runs_dir / "not-a-run").mkdir()  # no status.json: ignored
    return a, b, c


def test_runs_frame_one_row_per_run_newest_first(fake_runs, runs_dir):
    from studio.training.runs import list_runs

    frame = runs_tab.runs_frame(list_runs(runs_dir))
    assert list(frame.columns) == runs_tab.COLUMNS
    rows = frame.set_index("run").to_dict("index")
    assert list(frame["run"]) == ["20250101-120000-kto", "20250101-110000-sft", "20250101-100000-dpo"]
    dpo = rows["20250101-100000-dpo"]
    assert dpo["state"] == "finished" and dpo["method"] == "dpo"
    assert dpo["model"] == "SmolLM2-135M-Instruct" and dpo["dataset"] == "dpo_helpful_pairs.jsonl"
    assert dpo["steps"] == "40/40" and dpo["duration"] == "2.5 min" and dpo["final loss"] == "0.2"
    sft = rows["20250101-110000-sft"]
    assert sft["steps"] == "5/60" and sft["duration"] == "30 s" and sft["final loss"] == "1.5"
    assert sft["message"] == "stopped by you"
    kto = rows["20250101-120000-kto"]
    assert kto["final loss"] == "" and kto["message"] == "bad data" and kto["duration"] == "1 s"


def test_runs_frame_skips_null_losses(runs_dir):
    from studio.training.runs import list_runs

    folder = fake_run(runs_dir, "r1", {"state": "failed", "method": "sft", "started_at": 1.0}, losses=[1.0, 0.8])
    with open(folder / "metrics.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"step": 3, "loss": None, "nonfinite": ["loss"]}) + "\n")
    assert runs_tab.runs_frame(list_runs(runs_dir)).iloc[0]["final loss"] == "0.8"


def test_overlay_figure_raw_and_smoothed(fake_runs):
    a, b, _ = fake_runs
    raw = runs_tab.overlay_figure([str(a), str(b)], "loss", smoothing=0.0)
    assert [t.name for t in raw.data] == [a.name, b.name]
    assert list(raw.data[0].y) == [0.69, 0.5, 0.61, 0.3, 0.42, 0.2]
    assert list(raw.data[1].x) == [1, 2, 3, 4, 5]
    assert raw.layout.yaxis.title.text == "loss"
    smooth = runs_tab.overlay_figure([str(a), str(b)], "loss", smoothing=0.9)
    for raw_trace, smooth_trace in zip(raw.data, smooth.data):
        assert list(smooth_trace.x) == list(raw_trace.x)
        assert smooth_trace.y[0] == raw_trace.y[0]
        assert list(smooth_trace.y) != list(raw_trace.y)
        # an exponential moving average moves 10% of the way to each new value
        assert smooth_trace.y[1] == pytest.approx(0.9 * raw_trace.y[0] + 0.1 * raw_trace.y[1])
        # smoothing flattens the zig-zag
        spread = lambda ys: max(ys) - min(ys)  # noqa: E731
        assert spread(smooth_trace.y) < spread(raw_trace.y)


def test_overlay_figure_other_metric_and_run_without_it(fake_runs):
    a, _, c = fake_runs
    fig = runs_tab.overlay_figure([str(a), str(c)], "learning_rate")
    assert list(fig.data[0].y) == [1e-4] * 6 and len(fig.data[1].y or ()) == 0


def test_run_choices_label_runs(fake_runs, runs_dir):
    from studio.training.runs import list_runs

    choices = runs_tab.run_choices(list_runs(runs_dir))
    assert [value for _, value in choices] == [f.name for f in reversed(fake_runs)]  # names, not server paths
    assert choices[-1][0] == "20250101-100000-dpo · DPO · finished"


# compare_tab ----------------------------------------------------------------------------------------------

def test_comparable_runs_only_those_with_an_adapter(fake_runs, runs_dir):
    a, _, _ = fake_runs
    newer = fake_run(runs_dir, "20250102-000000-orpo", {"state": "stopped", "method": "orpo", "started_at": 9000.0},
                     adapter=True)
    fake_run(runs_dir, "20250102-010000-sft", {"state": "finished", "method": "sft", "started_at": 9500.0})
    broken = fake_run(runs_dir, "20250102-020000-dpo", {"state": "finished", "method": "dpo", "started_at": 9900.0})
    (broken / "adapter").write_text("a file, not a folder", encoding="utf-8")
    choices = compare_tab.comparable_runs(runs_dir)
    assert [value for _, value in choices] == [newer.name, a.name]
    assert choices[0][0] == "20250102-000000-orpo · ORPO · stopped"
    assert choices[1][0] == "20250101-100000-dpo · DPO · finished"


def test_comparable_runs_empty_or_missing_folder(tmp_path):
    assert compare_tab.comparable_runs(tmp_path / "nowhere") == []
    assert compare_tab.comparable_runs(tmp_path) == []


def test_opening_compare_tab_leaves_the_live_run_running(runs_dir):
    import os

    import studio.ui
    from studio.training.runner import LiveRun, Runner
    from studio.training.runs import read_status

    folder = fake_run(runs_dir, "20250103-000000-dpo", {"state": "running", "method": "dpo", "pid": os.getpid(),
                                                        "started_at": 1.0}, adapter=True)
    from studio.training.runs import RunFolder

    runner = Runner(runs_dir, adopt=False)
    runner.current = LiveRun(folder=RunFolder(folder), method="dpo", model="m", state="running")
    app = studio.ui.create_app(runs_dir=runs_dir, runner=runner)
    refresh = next(f.fn for f in app.fns.values()
                   if getattr(f.fn, "__qualname__", "") == "build_compare_tab.<locals>.on_refresh")
    refresh()  # what selecting the Compare tab runs
    assert read_status(folder)["state"] == "running"


def test_runs_frame_unknown_total_steps_shows_a_question_mark(runs_dir):
    from studio.training.runs import list_runs

    fake_run(runs_dir, "r1", {"state": "failed", "method": "sft", "step": 0, "max_steps": -1, "started_at": 1.0,
                              "message": "the model could not be loaded"})
    assert runs_tab.runs_frame(list_runs(runs_dir)).iloc[0]["steps"] == "0/?"


def test_online_rl_recommendations_say_what_they_cost():
    from studio.methods.registry import recommend_method
    from studio.ui.method_tab import recommendation_markdown

    for reward, method in (("a reward model", "ppo"), ("rule-based rewards", "grpo")):
        rec = recommend_method("preference", answers={"single_stage": "no", "online": "online (model generates)",
                                                      "rewards": reward})
        assert rec.method == method
        text = recommendation_markdown(rec)
        assert "What it costs" in text and "3–4 models" in text
    assert "What it costs" not in recommendation_markdown(recommend_method("preference"))


def test_the_verdict_table_gives_the_compared_texts_the_room():
    import pandas as pd

    from studio.ui.compare_tab import column_widths

    frame = pd.DataFrame(columns=["prompt", "reference", "base", "aligned", "base_score", "aligned_score", "win"])
    assert column_widths(frame) == ["24%", "12%", "24%", "24%", "80px", "80px", "80px"]


def _train_handlers(runs_dir):
    import studio.ui

    app = studio.ui.create_app(runs_dir=runs_dir)
    return {f.fn.__qualname__.rsplit(".", 1)[-1]: f.fn for f in app.fns.values()
            if getattr(f.fn, "__qualname__", "").startswith("build_train_tab.")}


@pytest.mark.parametrize("order", [("method", "dataset"), ("dataset", "method")])
def test_config_events_in_either_order_leave_the_config_and_fields_agreeing(runs_dir, order):
    """The Method tab's recommendation and the Data tab's dataset reach the Train tab as two events; whichever
    arrives last must not undo the other (it once did: the fields said DPO while the config said SFT)."""
    import threading
    from types import SimpleNamespace

    from studio.training.spec import spec_from_yaml

    handlers = _train_handlers(runs_dir)
    request = SimpleNamespace(session_hash=f"session-{'-'.join(order)}")
    pairs = {"path": str(PROJECT_ROOT / "presets/data/dpo_helpful_pairs.jsonl"), "report": {"rows": 300}}
    calls = {"method": lambda: handlers["on_method"]("dpo", pairs, request),
             "dataset": lambda: handlers["on_dataset"](pairs, request)}
    answers = [calls[name]() for name in order]
    config_text, model, method = answers[-1][:3]
    spec = spec_from_yaml(config_text)
    assert spec.method == method == "dpo" and spec.dataset == pairs["path"]
    # The same two events at once, from two threads: the session's lock puts one after the other.
    request = SimpleNamespace(session_hash=f"threads-{'-'.join(order)}")
    answers = []
    threads = [threading.Thread(target=lambda n=name: answers.append(calls[n]())) for name in order]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = spec_from_yaml(answers[-1][0])
    assert final.method == answers[-1][2] == "dpo" and final.dataset == pairs["path"]


def test_start_runs_a_quick_field_typed_whose_event_is_still_on_the_way(runs_dir, monkeypatch):
    """Events run side by side: Start can arrive before the learning-rate field's own event (it once did in the
    browser test, and a run meant for 1e-4 trained at 1e30 and failed). Start then takes the field as the page
    shows it; but a page that still shows the fields an earlier answer set (a method change on its way back)
    doesn't undo the newer draft."""
    from types import SimpleNamespace

    import studio.services
    from studio.services import Outcome
    from studio.training.spec import spec_from_yaml
    from studio.ui.train_tab import QUICK_FIELDS, START_FIELDS, fields_of

    def on_page(fields):  # what Start reads from the page
        return [fields[QUICK_FIELDS.index(name)] for name in START_FIELDS]

    handlers = _train_handlers(runs_dir)
    request = SimpleNamespace(session_hash="in-flight", client=None, headers={})
    started = []
    monkeypatch.setattr(studio.services.Studio, "start_run",
                        lambda self, spec, *a, **k: started.append(spec) or Outcome(False, "not really"))
    sft_text = handlers["on_method"]("sft", None, request)[0]
    sft_fields = fields_of(spec_from_yaml(sft_text))
    page = list(sft_fields)
    page[QUICK_FIELDS.index("lr")] = 0.0001  # typed; its event not there yet
    handlers["on_start"](sft_text, "someone", request, *on_page(page))
    assert started[-1].method == "sft" and started[-1].training["learning_rate"] == 0.0001
    assert fields_of(started[-1])[:1] == sft_fields[:1]  # the other fields as they were

    dpo_text = handlers["on_method"]("dpo", {"path": str(PROJECT_ROOT / "presets/data/dpo_helpful_pairs.jsonl"),
                                             "report": {"rows": 300}}, request)[0]
    handlers["on_start"](sft_text, "someone", request, *on_page(sft_fields))  # DPO's answer not shown yet
    assert started[-1].method == "dpo" and fields_of(started[-1]) == fields_of(spec_from_yaml(dpo_text))


def test_start_runs_the_draft_not_a_stale_editor_text(runs_dir, monkeypatch):
    from types import SimpleNamespace

    handlers = _train_handlers(runs_dir)
    request = SimpleNamespace(session_hash="stale", client=None, headers={})
    first_text = handlers["on_method"]("sft", None, request)[0]  # what the editor showed before
    handlers["on_method"]("dpo", {"path": str(PROJECT_ROOT / "presets/data/dpo_helpful_pairs.jsonl"),
                                  "report": {"rows": 300}}, request)
    started = {}

    def fake_start(spec, visitor, address="", **kwargs):
        started["method"] = spec.method
        from studio.services import Outcome

        return Outcome(False, "not really")

    import studio.services

    monkeypatch.setattr(studio.services.Studio, "start_run", lambda self, spec, *a, **k: fake_start(spec, *a, **k))
    handlers["on_start"](first_text, "someone", request)  # the page still held the SFT text
    assert started["method"] == "dpo"
    typed = first_text.replace("max_steps: 60", "max_steps: 7")
    handlers["on_start"](typed, "someone", request)  # an edit the server hasn't seen yet: it wins
    assert started["method"] == "sft"
