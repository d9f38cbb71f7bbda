"""What every process of a shared studio knows from its environment: that strangers use it, what they may
spend (`SharedLimits`, each bound settable by the operator through a STUDIO_SHARED_* variable), and whose Hub
credentials serve whom. The app sets these once at start; the training processes it starts inherit them.
The checks that use them live in shared.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SHARED_ENV = "STUDIO_SHARED"  # set by the app in shared mode; read by code that runs where the page can't see
SHARED_UPLOAD_BYTES = 20 * 1024 * 1024


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class SharedLimits:
    """What one visitor may spend on a shared studio; the operator changes any of them by environment."""

    max_steps: int = 300
    run_seconds: float = 30 * 60
    waiting_per_visitor: int = 2
    waiting_per_address: int = 4
    waiting_total: int = 12
    upload_bytes: int = SHARED_UPLOAD_BYTES
    rows: int = 100_000  # rows a parsed file (Parquet, JSONL, …) may expand to
    exports_bytes: int = 3 * 2**30  # exports kept on disk; the oldest go first
    uploads_bytes: int = 2 * 2**30
    model_bytes: int = 3 * 2**30  # weights of a hub model a visitor may make the server download
    eval_rows: int = 64
    # Feedback queues (the Feedback tab): how many, and how big one queue's label log may grow.
    feedback_queues_per_visitor: int = 3
    feedback_queues_per_address: int = 6  # fresh browser ids from one network don't get around it
    feedback_queues: int = 30  # and all visitors together (an owner deletes a queue while all its labels are theirs)
    feedback_lines: int = 20_000  # label and undo lines in one queue's log
    feedback_bytes: int = 32 * 2**20  # each label carries its prompt and answers: the log's bytes are bounded too
    feedback_lines_per_person: int = 2_000  # one visitor's choices in one queue: no one fills a queue others label
    feedback_exports: int = 10  # training files a queue keeps (more than its owner's waiting runs can use)

    @classmethod
    def from_env(cls) -> SharedLimits:
        default = cls()
        return cls(
            max_steps=int(_env_number("STUDIO_SHARED_MAX_STEPS", default.max_steps)),
            run_seconds=_env_number("STUDIO_SHARED_RUN_MINUTES", default.run_seconds / 60) * 60,
            waiting_per_visitor=int(_env_number("STUDIO_SHARED_WAITING_PER_VISITOR", default.waiting_per_visitor)),
            waiting_per_address=int(_env_number("STUDIO_SHARED_WAITING_PER_ADDRESS", default.waiting_per_address)),
            waiting_total=int(_env_number("STUDIO_SHARED_WAITING", default.waiting_total)),
            upload_bytes=int(_env_number("STUDIO_SHARED_UPLOAD_MB", default.upload_bytes / 2**20) * 2**20),
            rows=int(_env_number("STUDIO_SHARED_ROWS", default.rows)),
            exports_bytes=int(_env_number("STUDIO_SHARED_EXPORTS_GB", default.exports_bytes / 2**30) * 2**30),
            uploads_bytes=int(_env_number("STUDIO_SHARED_UPLOADS_GB", default.uploads_bytes / 2**30) * 2**30),
            model_bytes=int(_env_number("STUDIO_SHARED_MODEL_GB", default.model_bytes / 2**30) * 2**30),
            eval_rows=int(_env_number("STUDIO_SHARED_EVAL_ROWS", default.eval_rows)),
        )


def shared_mode() -> bool:
    """Whether this process serves (or trains for) a shared studio."""
    return os.environ.get(SHARED_ENV) == "1"


def withhold_operator_token() -> None:
    """From now on no Hub request sends the operator's token unless the code asks for it by name
    (`operator_token()`): a visitor's dataset probe, model download or push goes out anonymous."""
    os.environ[SHARED_ENV] = "1"
    os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"
    try:
        from huggingface_hub import constants

        constants.HF_HUB_DISABLE_IMPLICIT_TOKEN = True
    except ImportError:  # pragma: no cover
        pass


def operator_token() -> str | None:
    """The operator's own token (HF_TOKEN or `hf auth login`), for what the operator configured."""
    from huggingface_hub import get_token

    return get_token()
