"""PPOTrainer: RLHF's PPO as a `transformers.Trainer`, so checkpoints, resume, callbacks, logging, the learning-rate
schedule and `save_model` work as for every other method.

How it sits in the Trainer: the train dataloader yields one rollout batch of prompts per step, and the Trainer
runs with gradient accumulation 1. `training_step` samples answers, scores them and computes advantages (the
rollout), then runs `num_ppo_epochs × num_mini_batches` updates; it steps the optimizer itself for all but the
last update, whose gradients the Trainer clips and applies as usual (then it steps the scheduler, calls
`on_step_end` and logs). So a stop request lands between rollouts and the saved adapter is always a finished
update. The value head lives beside the model: it joins the optimizer as its own parameter group (its own
learning rate), is clipped with the policy, and is written as value_head.safetensors (with ppo_state.json:
the adaptive β and the token count) next to the adapter in every checkpoint and in the final save, and read
back on resume.
"""

from __future__ import annotations

import copy
import json
import os
from collections import defaultdict

import torch
from torch import nn
from transformers import GenerationConfig, Trainer

from . import ppo_core as core
from .rewards import completion_text

VALUE_HEAD_FILE = "value_head.safetensors"
STATE_FILE = "ppo_state.json"


def _messages(prompt, role: str = "user") -> list[dict]:
    return [{"role": role, "content": prompt}] if isinstance(prompt, str) else list(prompt)


class RewardModelScorer:
    """A sequence-classification checkpoint as a reward function: prompt + answer, formatted the way TRL's
    RewardTrainer saw its pairs (chat template, or plain text + EOS), → the head's single logit."""

    __name__ = "reward_model"

    def __init__(self, path: str, where, batch_size: int = 16):
        from transformers import AutoModelForSequenceClassification

        from ..models import load_tokenizer

        self.tokenizer = load_tokenizer(path)
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1, dtype=where.torch_dtype())
        model.config.pad_token_id = self.tokenizer.pad_token_id  # the head reads the last non-pad token
        self.model = model.to(where.device).eval().requires_grad_(False)
        self.device, self.batch_size = where.device, batch_size

    def _ids(self, prompt, completion) -> list[int]:
        text = completion_text(completion)
        if self.tokenizer.chat_template:
            messages = _messages(prompt) + [{"role": "assistant", "content": text}]
            return list(self.tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"])
        prompt_text = "\n".join(m.get("content", "") for m in _messages(prompt))
        return self.tokenizer(prompt_text + text + self.tokenizer.eos_token)["input_ids"]

    @torch.no_grad()
    def __call__(self, prompts, completions, **_) -> list[float]:
        encoded = [{"input_ids": self._ids(p, c)} for p, c in zip(prompts, completions)]
        scores: list[float] = []
        for start in range(0, len(encoded), self.batch_size):
            batch = self.tokenizer.pad(encoded[start:start + self.batch_size], padding=True, return_tensors="pt",
                                       padding_side="right")
            logits = self.model(**{k: v.to(self.device) for k, v in batch.items()}).logits
            scores += logits[:, 0].float().tolist()
        return scores


def _as_rows(batch):
    return list(batch)


class PPOTrainer(Trainer):
    def __init__(self, model, args, processing_class, train_dataset, reward_funcs: list, peft_config=None,
                 callbacks=None):
        from peft import PeftModel, get_peft_model
        from trl.trainer.utils import disable_dropout_in_model

        if peft_config is not None and not isinstance(model, PeftModel):
            model = get_peft_model(model, peft_config)
        self.uses_adapter = isinstance(model, PeftModel)
        # Full fine-tuning has no adapter to switch off, so the reference is a frozen copy taken before training.
        self.ref_model = None if self.uses_adapter else copy.deepcopy(model).eval().requires_grad_(False)
        if args.disable_dropout:
            disable_dropout_in_model(model)
        self.ppo_args = args
        # One Trainer step is one rollout + its PPO updates; the accumulation happens inside it (see module doc).
        loop_args = copy.copy(args)
        loop_args.gradient_accumulation_steps = 1
        super().__init__(model=model, args=loop_args, train_dataset=train_dataset, processing_class=processing_class,
                         callbacks=callbacks)
        hidden = model.config.get_text_config().hidden_size
        self.value_head = nn.Linear(hidden, 1).to(self.args.device)  # float32 whatever the policy's dtype
        nn.init.zeros_(self.value_head.weight)  # starts by predicting 0: no made-up baseline
        nn.init.zeros_(self.value_head.bias)
        self.reward_funcs = list(reward_funcs)
        self.reward_weights = list(args.reward_weights or [1.0] * len(self.reward_funcs))
        self.kl_ctl = core.KLController(args.kl_coef, args.target_kl, args.kl_horizon)
        self.num_tokens = 0
        self._metrics: dict[str, list[float]] = defaultdict(list)
        tokenizer = processing_class
        eos = model.generation_config.eos_token_id if getattr(model, "generation_config", None) else None
        eos = eos if isinstance(eos, list) else [eos] if eos is not None else []
        self.eos_ids = sorted({*eos, tokenizer.eos_token_id} - {None})
        self.generation_config = GenerationConfig(
            max_new_tokens=args.max_completion_length, do_sample=True, temperature=args.temperature, top_k=0,
            top_p=1.0, repetition_penalty=1.0, pad_token_id=tokenizer.pad_token_id, eos_token_id=self.eos_ids)

    # ---- data -------------------------------------------------------------------------------------------------
    def get_train_dataloader(self):
        from torch.utils.data import DataLoader, RandomSampler, SequentialSampler

        sequential = self.args.train_sampling_strategy == "sequential"
        sampler = SequentialSampler(self.train_dataset) if sequential else RandomSampler(self.train_dataset)
        loader = DataLoader(self.train_dataset, batch_size=self.ppo_args.rollout_batch_size, sampler=sampler,
                            collate_fn=_as_rows, drop_last=True, num_workers=self.args.dataloader_num_workers)
        return self.accelerator.prepare(loader)

    def floating_point_ops(self, inputs) -> int:
        return 0  # the batch is a list of prompt rows, not token ids to count

    def _encode_prompts(self, prompts: list) -> dict:
        tokenizer = self.processing_class
        if tokenizer.chat_template and isinstance(prompts[0], list):
            texts = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=False) for p in prompts]
            special = False  # the template already holds the special tokens
        else:
            texts = [p if isinstance(p, str) else "\n".join(m.get("content", "") for m in p) for p in prompts]
            special = True
        limit = self.ppo_args.max_prompt_length
        encoded = tokenizer(texts, add_special_tokens=special, padding=True, padding_side="left",
                            return_tensors="pt")
        if limit is not None and encoded["input_ids"].shape[1] > limit:  # keep the end: it holds the question
            encoded = {k: v[:, -limit:] for k, v in encoded.items()}
        return {k: v.to(self.args.device) for k, v in encoded.items()}

    # ---- model passes -----------------------------------------------------------------------------------------
    def _forward(self, model, sequences, attention_mask, context_length: int, values: bool = True):
        """Log-probabilities (at the sampling temperature) of the response tokens, and the value estimates
        of the states before each of them."""
        position_ids = attention_mask.cumsum(1) - attention_mask.long()
        keep = sequences.shape[1] - context_length + 1  # the vocabulary projection only where it is used
        output = model(input_ids=sequences, attention_mask=attention_mask, position_ids=position_ids,
                       output_hidden_states=values, use_cache=False, logits_to_keep=keep)
        logits = output.logits[:, -keep:-1].float() / (self.ppo_args.temperature + 1e-7)
        logprobs = core.sampled_logprobs(logits, sequences[:, context_length:])
        estimates = None
        if values:
            hidden = output.hidden_states[-1][:, context_length - 1:-1].float()
            estimates = self.value_head(hidden).squeeze(-1)
        return logprobs, estimates, logits

    def _reference_logprobs(self, model, sequences, attention_mask, context_length: int):
        if self.ref_model is not None:
            return self._forward(self.ref_model, sequences, attention_mask, context_length, values=False)[0]
        with model.disable_adapter():
            return self._forward(model, sequences, attention_mask, context_length, values=False)[0]

    def _score(self, rows: list[dict], prompts: list, texts: list[str], completion_ids: list) -> torch.Tensor:
        conversational = isinstance(prompts[0], list)
        completions = [[{"role": "assistant", "content": t}] for t in texts] if conversational else texts
        columns = {k: [row.get(k) for row in rows] for k in rows[0] if k not in ("prompt", "completions")}
        total = torch.zeros(len(texts), device=self.args.device)
        for func, weight in zip(self.reward_funcs, self.reward_weights):
            values = func(prompts=prompts, completions=completions, completion_ids=completion_ids, **columns)
            values = torch.tensor([float(v) if v is not None else 0.0 for v in values], device=self.args.device)
            self._metrics[f"rewards/{getattr(func, '__name__', 'reward')}/mean"].append(values.mean().item())
            total += weight * values
        return total

    # ---- the rollout ------------------------------------------------------------------------------------------
    @torch.no_grad()
    def _rollout(self, model, rows: list[dict]) -> dict:
        args, tokenizer = self.ppo_args, self.processing_class
        prompts = [row["prompt"] for row in rows]
        encoded = self._encode_prompts(prompts)
        context_length = encoded["input_ids"].shape[1]
        was_training = model.training
        model.eval()
        chunk = args.local_rollout_forward_batch_size
        responses = []
        for start in range(0, len(rows), chunk):
            out = model.generate(input_ids=encoded["input_ids"][start:start + chunk],
                                 attention_mask=encoded["attention_mask"][start:start + chunk],
                                 generation_config=self.generation_config)
            responses.append(out[:, context_length:])
        width = max(r.shape[1] for r in responses)
        responses = torch.cat([nn.functional.pad(r, (0, width - r.shape[1]), value=tokenizer.pad_token_id)
                               for r in responses])
        mask = core.response_mask(responses, self.eos_ids)
        sequences = torch.cat([encoded["input_ids"], responses], 1)
        attention = torch.cat([encoded["attention_mask"], mask.long()], 1)
        logprobs, values, ref_logprobs = [], [], []
        for start in range(0, len(rows), chunk):
            part = slice(start, start + chunk)
            lp, v, _ = self._forward(model, sequences[part], attention[part], context_length)
            logprobs.append(lp)
            values.append(v)
            ref_logprobs.append(self._reference_logprobs(model, sequences[part], attention[part], context_length))
        logprobs, values, ref_logprobs = torch.cat(logprobs), torch.cat(values), torch.cat(ref_logprobs)
        model.train(was_training)

        completion_ids = [ids[m].tolist() for ids, m in zip(responses, mask)]
        texts = tokenizer.batch_decode(completion_ids, skip_special_tokens=True)
        scores = self._score(rows, prompts, texts, completion_ids)
        ended = (torch.isin(responses, torch.tensor(self.eos_ids, device=responses.device)) & mask).any(1)
        if args.missing_eos_penalty is not None:
            scores = scores - args.missing_eos_penalty * (~ended).float()

        kl = torch.where(mask, core.kl_per_token(logprobs, ref_logprobs, args.kl_estimator), torch.zeros_like(logprobs))
        beta = self.kl_ctl.value
        rewards = core.token_rewards(scores, kl, mask, beta)
        if args.whiten_rewards:
            rewards = core.masked_whiten(rewards, mask, shift_mean=False)
        advantages, returns = core.gae(rewards, values, mask, args.gamma, args.lam)
        advantages = core.masked_whiten(advantages, mask)

        sequence_kl = kl.sum(1)
        self.num_tokens += int(encoded["attention_mask"].sum().item() + mask.sum().item())
        stats = {"objective/scores": scores.mean(), "objective/kl": sequence_kl.mean(),
                 "objective/non_score_reward": (-beta * sequence_kl).mean(),
                 "objective/rlhf_reward": (scores - beta * sequence_kl).mean(),
                 "objective/entropy": (-torch.where(mask, logprobs, torch.zeros_like(logprobs))).sum(1).mean(),
                 "objective/kl_coef": torch.tensor(beta), "completions/mean_length": mask.float().sum(1).mean(),
                 "completions/eos_rate": ended.float().mean(), "val/mean": core.masked_mean(values, mask),
                 "val/returns": core.masked_mean(returns, mask)}
        for key, value in stats.items():
            self._metrics[key].append(float(value))
        self.kl_ctl.update(float(sequence_kl.mean()), n_steps=len(rows))
        return {"sequences": sequences, "attention": attention, "mask": mask, "logprobs": logprobs,
                "values": values, "advantages": advantages, "returns": returns, "context_length": context_length}

    # ---- the update -------------------------------------------------------------------------------------------
    def _micro_batch_loss(self, model, rollout: dict, index: torch.Tensor) -> tuple[torch.Tensor, dict]:
        args = self.ppo_args
        pick = {k: v[index] for k, v in rollout.items() if isinstance(v, torch.Tensor)}
        logprobs, values, logits = self._forward(model, pick["sequences"], pick["attention"],
                                                 rollout["context_length"])
        mask = pick["mask"]
        policy_loss, policy_stats = core.clipped_policy_loss(logprobs, pick["logprobs"], pick["advantages"], mask,
                                                             args.cliprange)
        value_loss, value_stats = core.clipped_value_loss(values, pick["values"], pick["returns"], mask,
                                                          args.cliprange_value)
        with torch.no_grad():
            entropy = core.masked_mean(core.entropy_from_logits(logits), mask)
        stats = {"loss/policy": policy_loss.detach(), "loss/value": value_loss.detach(),
                 "policy/approxkl": policy_stats["approxkl"], "policy/clipfrac": policy_stats["clipfrac"],
                 "policy/entropy": entropy, "val/ratio": policy_stats["ratio"],
                 "val/vf_loss": value_loss.detach(), "val/clipfrac": value_stats["clipfrac"]}
        return policy_loss + args.vf_coef * value_loss, stats

    def training_step(self, model, inputs, num_items_in_batch=None) -> torch.Tensor:
        args = self.ppo_args
        self.optimizer.zero_grad(set_to_none=True)  # the Trainer's model.zero_grad() misses the value head
        rollout = self._rollout(self.accelerator.unwrap_model(model), inputs)
        model.train()
        size, micro = args.rollout_batch_size, args.per_device_train_batch_size
        updates = args.num_ppo_epochs * args.num_mini_batches
        totals: dict[str, torch.Tensor] = defaultdict(lambda: torch.zeros((), device=self.args.device))
        done = 0
        for _epoch in range(args.num_ppo_epochs):
            order = torch.randperm(size, device=self.args.device)
            for mini in order.split(args.mini_batch_size):
                for index in mini.split(micro):
                    with self.compute_loss_context_manager():
                        loss, stats = self._micro_batch_loss(model, rollout, index)
                    self.accelerator.backward(loss / args.gradient_accumulation_steps)
                    totals["loss"] += loss.detach()
                    for key, value in stats.items():
                        totals[key] += value
                done += 1
                if done < updates:  # the last update's gradients are left for the Trainer to clip and apply
                    if args.max_grad_norm is not None and args.max_grad_norm > 0:
                        self._clip_grad_norm(model)
                    self.optimizer.step()
                    self.optimizer.zero_grad(set_to_none=True)
        passes = updates * args.gradient_accumulation_steps
        for key, value in totals.items():
            if key != "loss":
                self._metrics[key].append((value / passes).item())
        return totals["loss"] / passes

    # ---- optimizer: the value head is a parameter group of its own --------------------------------------------
    def create_optimizer(self, model=None):
        optimizer = super().create_optimizer(model)
        if not any(p is self.value_head.weight for group in optimizer.param_groups for p in group["params"]):
            lr = self.ppo_args.value_learning_rate or 10 * self.ppo_args.learning_rate
            optimizer.add_param_group({"params": list(self.value_head.parameters()), "lr": lr, "weight_decay": 0.0})
        return optimizer

    def _clip_grad_norm(self, model):
        parameters = [*model.parameters(), *self.value_head.parameters()]
        return self.accelerator.clip_grad_norm_(parameters, self.args.max_grad_norm)

    # ---- logging, saving, resuming ----------------------------------------------------------------------------
    def log(self, logs: dict, start_time: float | None = None) -> None:
        if self._metrics and "loss" in logs:  # the per-step line, not the end-of-training summary
            logs = {**logs, **{k: sum(v) / len(v) for k, v in self._metrics.items() if v},
                    "num_tokens": self.num_tokens}
            self._metrics.clear()
        super().log(logs, start_time)

    def _save(self, output_dir: str | None = None, state_dict=None) -> None:
        super()._save(output_dir, state_dict=state_dict)
        if not self.args.should_save:
            return
        from safetensors.torch import save_file

        output_dir = output_dir or self.args.output_dir
        save_file({k: v.detach().cpu().contiguous() for k, v in self.value_head.state_dict().items()},
                  os.path.join(output_dir, VALUE_HEAD_FILE))
        with open(os.path.join(output_dir, STATE_FILE), "w", encoding="utf-8") as handle:
            json.dump({"kl_coef": self.kl_ctl.value, "num_tokens": self.num_tokens}, handle)

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model=None) -> None:
        super()._load_from_checkpoint(resume_from_checkpoint, model)
        head = os.path.join(resume_from_checkpoint, VALUE_HEAD_FILE)
        if os.path.isfile(head):
            from safetensors.torch import load_file

            self.value_head.load_state_dict(load_file(head, device=str(self.args.device)))
        state = os.path.join(resume_from_checkpoint, STATE_FILE)
        if os.path.isfile(state):
            with open(state, encoding="utf-8") as handle:
                saved = json.load(handle)
            self.kl_ctl.value = float(saved.get("kl_coef", self.kl_ctl.value))
            self.num_tokens = int(saved.get("num_tokens", 0))
