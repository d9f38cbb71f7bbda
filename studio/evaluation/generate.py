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
        base = load_causal_lm(resolve_model(run_base_model(self.run_dir)), where)
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
