"""DPO on TRL's DPOTrainer, and the DPO family: TRL's `loss_type` (IPO, hinge, robust, APO, SPPO, …) as a choice.

With LoRA the reference model is the base with the adapter disabled. `LOSSES` is every loss TRL 1.16's
DPOTrainer implements (all plain tensor arithmetic, so all run on a CPU), each with when it fits and its β
guidance; the Train tab offers them beside β, the Method tab lists them, and a preset naming another is refused.
Several can be combined in a preset (`loss_type: [sigmoid, sft]`, weighted by `loss_weights`).
"""

from __future__ import annotations

from .base import Method, Option

# The seed article names DPOTrainer(loss_type="kto_pair") for KTO; TRL removed it.
KTO_PAIR = "Train on thumbs up/down answers with method: kto (TRL's KTOTrainer) instead."

LOSSES = (
    Option("sigmoid", "sigmoid — DPO",
           "DPO itself (Rafailov et al., 2023): the default, for clean pairs where chosen is clearly better.",
           "0.01 – 0.5, default 0.1; lower often works best."),
    Option("ipo", "ipo — IPO",
           "IPO (Azar et al., 2023): a squared loss toward a fixed margin that never saturates, so it overfits "
           "less than DPO on small or near-deterministic preference data.",
           "β is IPO's τ: it aims the per-token log-ratio margin at 1/(2β), so a larger β stays closer to the "
           "reference; 0.1 to start, up to 0.5–1 if the answers drift."),
    Option("hinge", "hinge — SLiC",
           "SLiC's hinge (Zhao et al., 2023): pairs already separated by the margin stop counting, which keeps "
           "easy pairs from being over-optimised.",
           "β sets the margin to 1/β; 0.1 as for DPO."),
    Option("robust", "robust — noisy labels",
           "Robust DPO (Chowdhury et al., 2024): for noisy labels, assuming a share of the pairs is flipped "
           "(label_smoothing is that share).",
           "As DPO (0.1); label_smoothing below 0.5, 0.1 typical.", needs={"label_smoothing": 0.1}),
    Option("exo_pair", "exo_pair — EXO",
           "EXO (Ji et al., 2024): minimises the reverse KL to the preferences (mode-seeking) instead of DPO's "
           "forward KL, so it commits to the preferred answer style.",
           "As DPO (0.1); needs label_smoothing > 0 (ε, 1e-3 recommended).", needs={"label_smoothing": 0.001}),
    Option("nca_pair", "nca_pair — NCA",
           "NCA (Chen et al., 2024): scores each answer against the reference on its own, so the chosen answers "
           "stay likely instead of only the gap growing; try it when chosen rewards fall.",
           "As DPO (0.01 – 0.1)."),
    Option("bco_pair", "bco_pair — BCO",
           "BCO on pairs (Jung et al., 2024): a binary classifier on the implicit reward, chosen as 1 and rejected "
           "as 0, each judged on its own.",
           "As DPO (0.1)."),
    Option("sppo_hard", "sppo_hard — SPPO",
           "SPPO with hard labels (Wu et al., 2024): pushes chosen up and rejected down toward fixed targets, "
           "approximating a self-play equilibrium; made for rounds of new pairs from the model's own answers.",
           "β sets the targets (±1/(2β) in log-ratio); 0.1 to start, larger to stay closer to the reference."),
    Option("aot", "aot — AOT (paired)",
           "AOT (Melnyk et al., 2024): aligns the distribution of margins by optimal transport across the batch "
           "(it sorts the pairs), so it needs batches of several pairs.",
           "As DPO (0.01 – 0.1); per_device_train_batch_size ≥ 4."),
    Option("aot_unpaired", "aot_unpaired — AOT (unpaired)",
           "AOT's unpaired form: makes the chosen answers' rewards dominate the rejected ones' as distributions, "
           "ignoring which two were paired; batches of several pairs.",
           "As DPO (0.01 – 0.1); per_device_train_batch_size ≥ 4."),
    Option("apo_zero", "apo_zero — APO-zero",
           "APO-zero (D'Oosterlinck et al., 2024): raises chosen and lowers rejected, each against the reference; "
           "for chosen answers better than what the model writes now (e.g. from a stronger model).",
           "0.1, as in the paper."),
    Option("apo_down", "apo_down — APO-down",
           "APO-down: lowers both answers, rejected more; for when even the chosen answers are worse than the "
           "model's own (the model already beats the data).",
           "0.1, as in the paper."),
    Option("discopop", "discopop — DiscoPOP",
           "DiscoPOP (Lu et al., 2024): a loss found by LLM-driven search that blends DPO's logistic loss with an "
           "exponential one depending on the margin.",
           "As DPO (0.05 – 0.1); discopop_tau 0.05 (the paper's) sets the blend."),
    Option("sft", "sft — NLL on chosen",
           "Not a preference loss: plain NLL on the chosen answers. Combine it with another in the YAML "
           "(loss_type: [sigmoid, sft], RPO) to hold the chosen answers up.",
           "β doesn't change it (only the rewards/* curves)."),
    Option("sigmoid_norm", "sigmoid_norm — length-normalised DPO",
           "DPO on per-token (length-normalised) log-ratios: removes DPO's pull toward longer answers.",
           "The per-token margins are far smaller, so β must be larger than DPO's: about 1 – 2.5 (SimPO's range)."),
)


def config_class():
    from trl import DPOConfig

    return DPOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from .common import chat_rows

    return chat_rows(rows, report, tokenizer)


def build_trainer(ctx):
    from trl import DPOTrainer

    return DPOTrainer(model=ctx.model, ref_model=None, args=ctx.args, train_dataset=ctx.train_dataset,
                      eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer,
                      peft_config=ctx.peft_config, callbacks=ctx.callbacks)


METHOD = Method(
    id="dpo", name="DPO", kind="Offline", models_in_memory="2", needs_reward_model="No", needs_reference_model="Yes",
    data_requirement="Preference pairs", trainer="trl.DPOTrainer",
    summary="Raises the likelihood of chosen over rejected answers relative to a frozen reference. "
            "Simple, stable, the best general-purpose choice.",
    order=40, shapes=("preference",), config_class=config_class, prepare_rows=prepare_rows,
    build_trainer=build_trainer,
    panels={"loss": ["loss", "eval_loss"], "rewards (chosen / rejected)": ["rewards/chosen", "rewards/rejected"],
            "reward margin": ["rewards/margins"], "reward accuracy": ["rewards/accuracies"]},
    verdict="preference",
    beta_name="beta", beta_range="0.01 – 0.5", beta_default=0.1,
    beta_note="Lower β often works best; 0.1 is a common default (for the sigmoid loss; each loss says its own).",
    options={"loss_type": LOSSES},
    retired={"loss_type": {"kto_pair": KTO_PAIR}},
)
