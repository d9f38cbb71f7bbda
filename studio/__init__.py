"""Alignment Studio: point-and-click post-training (SFT, reward model + PPO, DPO, KTO, ORPO, GRPO) on TRL.

This package root only sets the process-wide defaults that must be in place before any Hugging Face or
Gradio library is imported: no telemetry, no analytics, and quiet experimental TRL imports. Everything
else lives in the subpackages (see DESIGN.md for the data flow).
"""

import logging
import os

# Outbound calls nobody asked for must not happen (and must not hang where there is no network).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio rebuilds a pandas summary of up to 10,000 past events after every event (for its monitoring page);
# with every open tab ticking once a second that costs the trainer CPU. Summarise every 1,000 events, of 1,000.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Fail fast instead of waiting the default 10 s per request when the Hub is unreachable.
os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "10")

# bitsandbytes says on import that an optional CPU kernel package is missing; 4-bit works without it, and the
# line reads like an error to people who never asked for 4-bit.
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)

__version__ = "0.1.0"
