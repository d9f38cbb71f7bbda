"""Base vs aligned generations with identical decoding settings.

With LoRA one copy of the weights serves both sides: the answer is generated once with the adapter
disabled (the base) and once with it enabled (the aligned model). A full fine-tune saves a whole model,
so then the base is loaded beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..models import load_causal_lm, load_tokenizer, placement, resolve_model
from ..training.runs import RunFolder


MAX_PROMPT_CHARS = 32_000
BATCH_SIZE = 8  # prompts answered together in a verdict (left-padded); memory grows with it, time shrinks


@dataclass
class DecodeSettings:
    max_new_tokens: int = 96
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    seed: int = 0

    def generate_kwargs(self) -> dict:
        if self.temperature <= 0:
            return {"do_sample": False, "max_new_tokens": self.max_new_tokens}
        return {"do_sample": True, "temperature": self.temperature, "top_p": self.top_p,
                "max_new_tokens": self.max_new_tokens}


def run_base_model(run_dir: Path) -> str:
    return RunFolder(run_dir).base_model


class ComparePair:
    """The base and the aligned model of one run, ready to answer prompts."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        adapter_dir = RunFolder(run_dir).adapter
        if not adapter_dir.is_dir():
            raise ValueError(f"run {self.run_dir.name} has no saved model yet; compare it once it has finished "
                             "or been stopped.")
        where = placement()
        self.device = where.device
        self.tokenizer = load_tokenizer(str(adapter_dir))
        self.base_path = resolve_model(run_base_model(self.run_dir))
        base = load_causal_lm(self.base_path, where)
        if (adapter_dir / "adapter_config.json").is_file():
            from peft import PeftModel

            self.model = PeftModel.from_pretrained(base, str(adapter_dir)).eval()
            self.base = None
        else:
            self.model = load_causal_lm(str(adapter_dir), where)
            self.base = base
        self.lock = threading.Lock()  # one generation at a time: toggling the adapter is not thread-safe

    def _inputs(self, prompt: str | list[dict]):
        messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
        chars = sum(len(str(m.get("content", ""))) for m in messages)
        if chars > MAX_PROMPT_CHARS:  # refused before the tokenizer spends time on it
            raise ValueError(f"The prompt is {chars:,} characters long; the limit is {MAX_PROMPT_CHARS:,} "
                             "(about 8,000 tokens). Shorten it or start a new conversation.")
        if self.tokenizer.chat_template:
            encoded = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                         return_tensors="pt", return_dict=True)
        else:
            encoded = self.tokenizer("\n".join(m["content"] for m in messages), return_tensors="pt")
        window = getattr(self.model.config, "max_position_embeddings", None)
        if window and encoded["input_ids"].shape[-1] >= window:
            raise ValueError(f"The prompt is {encoded['input_ids'].shape[-1]:,} tokens; this model reads at most "
                             f"{window:,}. Shorten it or start a new conversation.")
        return {k: v.to(self.device) for k, v in encoded.items()}

    def _generate(self, inputs: dict, settings: DecodeSettings, aligned: bool, **extra):
        import torch

        with self.lock, torch.no_grad():
            torch.manual_seed(settings.seed)  # same seed for both sides: the only difference is the adapter
            kwargs = dict(**inputs, **settings.generate_kwargs(), pad_token_id=self.tokenizer.pad_token_id, **extra)
            if aligned:
                return self.model.generate(**kwargs)
            if self.base is not None:
                return self.base.generate(**kwargs)
            with self.model.disable_adapter():
                return self.model.generate(**kwargs)

    def generate(self, prompt: str | list[dict], settings: DecodeSettings, aligned: bool) -> str:
        inputs = self._inputs(prompt)
        output = self._generate(inputs, settings, aligned)
        new_tokens = output[0][inputs["input_ids"].shape[1]:]
        return self.tokenizer.decode(new_tokens, skip_special_tokens=True).strip()

    def stream(self, prompt: str | list[dict], settings: DecodeSettings, aligned: bool) -> Iterator[str]:
        """The answer so far, growing as tokens arrive (the same text `generate` returns at the end)."""
        from transformers import TextIteratorStreamer

        inputs = self._inputs(prompt)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600)
        failure: list[BaseException] = []

        def work():
            try:
                self._generate(inputs, settings, aligned, streamer=streamer)
            except BaseException as exc:  # surface it in the caller's thread, and unblock the streamer
                failure.append(exc)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        text = ""
        for piece in streamer:
            text += piece
            yield text.strip()
        thread.join()
        if failure:
            raise failure[0]

    def answer_both(self, prompt: str | list[dict], settings: DecodeSettings) -> tuple[str, str]:
        return self.generate(prompt, settings, aligned=False), self.generate(prompt, settings, aligned=True)

    def answers(self, prompts: list, settings: DecodeSettings, aligned: bool, batch_size: int = BATCH_SIZE,
                deadline: float | None = None) -> list[Answer]:
        """Both sides' workhorse for a verdict: every prompt answered in left-padded batches with the same
        decoding (under greedy decoding the same answers as `generate`, one prompt at a time). `deadline`:
        stop generating when it passes (the answers not reached are None)."""
        import time as clock

        import torch

        out: list[Answer | None] = []
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(prompts), max(1, batch_size)):
            if deadline is not None and clock.time() > deadline:
                out.extend([None] * (len(prompts) - start))
                break
            chunk = [self._inputs(p)["input_ids"][0].tolist() for p in prompts[start:start + batch_size]]
            width = max(len(ids) for ids in chunk)
            ids = torch.tensor([[pad] * (width - len(i)) + i for i in chunk], device=self.device)
            mask = torch.tensor([[0] * (width - len(i)) + [1] * len(i) for i in chunk], device=self.device)
            output = self._generate({"input_ids": ids, "attention_mask": mask}, settings, aligned)
            stops = self._stop_ids() | {pad}
            for row in output[:, width:]:
                tokens = row.tolist()
                cut = next((i for i, t in enumerate(tokens) if t in stops), len(tokens))
                text = self.tokenizer.decode(tokens[:cut], skip_special_tokens=True).strip()
                out.append(Answer(text, cut, cut < len(tokens) or cut < settings.max_new_tokens))
        return out

    def _stop_ids(self) -> set[int]:
        ids = getattr(getattr(self.model, "generation_config", None), "eos_token_id", None)
        ids = set(ids) if isinstance(ids, (list, tuple, set)) else {ids} if ids is not None else set()
        return ids | ({self.tokenizer.eos_token_id} if self.tokenizer.eos_token_id is not None else set())


@dataclass(frozen=True)
class Answer:
    """One generated answer: its text, how many tokens it took, and whether it ended by itself (else it was
    cut off at max_new_tokens)."""

    text: str
    tokens: int
    ended: bool

    def to_dict(self) -> dict:
        return {"text": self.text, "tokens": self.tokens, "ended": self.ended}


class BaseAnswers:
    """The base model's answers, kept beside the runs (runs/.answers/): runs that share a base model, prompts
    and decoding (an arena's methods, a run evaluated twice) generate them once."""

    def __init__(self, root: Path):
        self.root = Path(root) / ".answers"

    def key(self, base: str, tokenizer, prompts: list, settings: DecodeSettings) -> str:
        import hashlib
        import json

        blob = json.dumps({"base": base, "template": getattr(tokenizer, "chat_template", None), "prompts": prompts,
                           "settings": vars(settings)}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]

    def get(self, key: str) -> list[Answer] | None:
        import json

        try:
            rows = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return [Answer(r["text"], r["tokens"], r["ended"]) for r in rows]

    def put(self, key: str, answers: list[Answer]) -> None:
        import json
        import os

        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps([a.to_dict() for a in answers]), encoding="utf-8")
        os.replace(tmp, self.root / f"{key}.json")


class ComparePool:
    """Keeps the most recently compared run loaded, so repeated prompts answer at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pair: ComparePair | None = None

    def get(self, run_dir: str | Path) -> ComparePair:
        run_dir = Path(run_dir)
        with self._lock:
            if self._pair is None or self._pair.run_dir != run_dir:
                self._pair = None  # free the previous run's weights first
                self._pair = ComparePair(run_dir)
            return self._pair
