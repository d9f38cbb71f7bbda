"""SimPO and CPO on TRL's experimental CPOTrainer: preference pairs, no reference model (like ORPO).

CPO (Xu et al., 2024) is DPO's loss on the policy's own log-likelihoods plus `cpo_alpha` × NLL on the chosen
answers; SimPO (Meng et al., 2024) is `loss_type: simpo` with `cpo_alpha: 0`: the per-token average
log-likelihood is the reward, and `simpo_gamma` is the margin it must clear. Both hold one model in memory and
need no reference pass, so a step costs about what an ORPO step does.
"""

from __future__ import annotations

from .base import Method, Option
from .dpo import KTO_PAIR

LOSSES = (
    Option("sigmoid", "sigmoid — CPO",
           "CPO (Xu et al., 2024): DPO's loss without the reference, plus cpo_alpha × NLL on the chosen answers "
           "that holds them up; a cheaper DPO.",
           "0.1, as in the paper; cpo_alpha 1.0."),
    Option("simpo", "simpo — SimPO",
           "SimPO (Meng et al., 2024): the per-token average log-likelihood is the reward, which must beat "
           "rejected by simpo_gamma; no length bias, no reference. Set cpo_alpha: 0 for SimPO itself.",
           "2.0 – 2.5, with simpo_gamma about half of β (the paper: γ/β 0.3 – 0.8); needs a low learning rate."),
    Option("hinge", "hinge — SLiC",
           "SLiC's hinge on the reference-free margin: pairs already separated by 1/β stop counting.",
           "0.1 (a margin of 10 nats)."),
    Option("ipo", "ipo — IPO",
           "IPO's squared loss on per-token average log-likelihoods, without a reference: doesn't saturate.",
           "β is τ: the per-token margin aimed for is 1/(2β); 0.1 – 1."),
    Option("alphapo", "alphapo — AlphaPO",
           "AlphaPO (Gupta et al., 2025): SimPO with its reward reshaped by alpha; TRL runs it as simpo with "
           "cpo_alpha 0.",
           "As SimPO (2.0 – 2.5); set alpha (0 is plain SimPO)."),
)


def config_class():
    from trl.experimental.cpo import CPOConfig

    return CPOConfig


def prepare_rows(rows: list[dict], report, tokenizer) -> list[dict]:
    from .common import chat_rows

    return chat_rows(rows, report, tokenizer)


def build_trainer(ctx):
    from trl.experimental.cpo import CPOTrainer

    from .common import counting_pair_tokens

    return counting_pair_tokens(CPOTrainer)(model=ctx.model, args=ctx.args, train_dataset=ctx.train_dataset,
        eval_dataset=ctx.eval_dataset, processing_class=ctx.tokenizer, peft_config=ctx.peft_config,
        callbacks=ctx.callbacks)


METHOD = Method(
    id="cpo", name="SimPO / CPO", kind="Offline", models_in_memory="1", needs_reward_model="No",
    needs_reference_model="No", data_requirement="Preference pairs", trainer="trl.experimental.cpo.CPOTrainer",
    summary="Reference-free preference optimisation: SimPO scores each answer by its average per-token "
            "log-likelihood and asks chosen to beat rejected by a margin; CPO adds an NLL term on chosen. "
            "One model in memory, like ORPO, but meant to follow SFT.",
    order=65, shapes=("preference",), config_class=config_class, prepare_rows=prepare_rows,
    build_trainer=build_trainer,
    panels={"loss": ["loss", "nll_loss", "eval_loss"], "log-likelihood (chosen / rejected)": ["logps/chosen",
                                                                                              "logps/rejected"],
            "reward margin": ["rewards/margins"], "reward accuracy": ["rewards/accuracies"]},
    verdict="preference",
    beta_name="beta", beta_range="SimPO 2.0 – 2.5, CPO 0.1", beta_default=0.1,
    beta_note="SimPO's β scales a per-token reward, so it is far larger than DPO's; simpo_gamma, the margin, is "
              "about half of β. CPO's sigmoid loss uses 0.1.",
    options={"loss_type": LOSSES},
    retired={"loss_type": {"kto_pair": KTO_PAIR}},
)
