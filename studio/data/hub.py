"""Hugging Face Hub datasets: `org/name` (+ config and split) → plain rows, through `datasets.load_dataset`.

Where the Hub can't be reached the user gets one clear ValueError within seconds: a quick metadata request
(no retries) runs before `load_dataset`, whose downloads retry for half a minute when offline. With
HF_HUB_OFFLINE=1, `load_dataset` reads only the local cache and fails at once when the copy isn't there.
"""

from __future__ import annotations

import os
import re

from .loading import LoadedFile

HUB_ID = re.compile(r"^(?:hf://datasets/)?([A-Za-z0-9][\w.-]*/[\w.-]+)$")
MAX_HUB_ROWS = 1_000_000
PROBE_TIMEOUT_S = 5.0


def hub_id(text: str) -> str | None:
    """The repo id when `text` looks like a hub dataset id (and is not a local path), else None."""
    match = HUB_ID.match(str(text).strip())
    if not match or os.path.exists(text):
        return None
    repo = match.group(1)
    if repo.rsplit(".", 1)[-1].lower() in ("jsonl", "json", "csv", "tsv", "parquet", "gz", "ndjson"):
        return None  # a file name that doesn't exist: let the file loader say so
    return repo


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _unreachable(repo: str, why: str) -> ValueError:
    return ValueError(
        f"{repo}: could not reach the Hugging Face Hub ({why}). Download the dataset where the Hub is reachable "
        "and use a local file (JSONL, JSON, CSV, TSV or Parquet) instead; a copy already in the datasets cache "
        "loads with HF_HUB_OFFLINE=1."
    )


def _probe(repo: str) -> None:
    from huggingface_hub import HfApi

    from ..limits import SharedLimits, shared_mode

    shared = shared_mode()
    try:
        # A visitor of a shared studio asks as nobody: never with the operator's token.
        info = HfApi().dataset_info(repo, timeout=PROBE_TIMEOUT_S, files_metadata=shared,
                                    **({"token": False} if shared else {}))
    except Exception as exc:  # no network, DNS, proxy, gated or missing repo
        name = type(exc).__name__
        if "RepositoryNotFound" in name or "404" in str(exc)[:200]:
            raise ValueError(f"{repo}: no such dataset on the Hugging Face Hub (or it is private); check the "
                             "spelling, or log in with `hf auth login` if it is private.") from exc
        if "GatedRepo" in name or "401" in str(exc)[:200] or "403" in str(exc)[:200]:
            raise ValueError(f"{repo}: the dataset is gated or private; accept its terms on the Hub and log in "
                             "with `hf auth login`.") from exc
        raise _unreachable(repo, name) from exc
    if shared:  # the whole repository is downloaded: it must fit the shared studio's upload cap
        size = sum(getattr(f, "size", 0) or 0 for f in (getattr(info, "siblings", None) or []))
        limit = SharedLimits.from_env().upload_bytes
        if size > limit:
            raise ValueError(f"{repo}: the dataset's files take {size / 2**20:,.0f} MB, over this shared studio's "
                             f"{limit / 2**20:,.0f} MB limit. Upload a sample of it instead.")


def load_hub_rows(repo: str, config: str | None = None, split: str | None = None,
                  max_rows: int = MAX_HUB_ROWS) -> LoadedFile:
    """Rows of one split of a hub dataset. Raises ValueError naming the dataset and what to do."""
    if not _offline():
        _probe(repo)
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover
        raise ValueError("reading hub datasets needs the `datasets` package.") from exc
    try:
        from ..limits import shared_mode

        loaded = datasets.load_dataset(repo, config or None, split=split or None,
                                       **({"token": False} if shared_mode() else {}))
    except ValueError as exc:  # unknown config or split
        raise ValueError(f"{repo}: {str(exc).splitlines()[0][:400]}") from exc
    except (ConnectionError, OSError) as exc:
        raise _unreachable(repo, type(exc).__name__) from exc
    except Exception as exc:  # datasets raises many kinds: DatasetNotFoundError, FileNotFoundError …
        first_line = str(exc).splitlines()[0][:300] if str(exc) else ""
        raise ValueError(f"{repo}: could not be loaded ({type(exc).__name__}: {first_line}).") from exc
    if isinstance(loaded, datasets.DatasetDict):
        splits = list(loaded)
        if "train" not in loaded:
            raise ValueError(f"{repo}: pick a split; this dataset has {', '.join(splits)}.")
        loaded = loaded["train"]
        split = "train"
    if len(loaded) > max_rows:
        raise ValueError(f"{repo}: the split has {len(loaded):,} rows, over the {max_rows:,} limit; take a slice "
                         f"such as split='{split or 'train'}[:{max_rows // 10}]'.")
    from .loading import _plain

    rows = [{k: _plain(v) for k, v in row.items()} for row in loaded]
    if not rows:
        raise ValueError(f"{repo}: the split is empty.")
    return LoadedFile(rows, "hub")


def hub_to_file(repo_text: str, out_dir, config: str | None = None, split: str | None = None):
    """Download one split as it is (before any mapping) into a JSONL file under `out_dir`; returns its path."""
    from pathlib import Path

    from .loading import save_rows

    repo = hub_id(repo_text)
    if repo is None:
        raise ValueError(f"'{repo_text}' is not a Hugging Face dataset id like 'org/name'.")
    loaded = load_hub_rows(repo, config, split)
    parts = [repo.replace("/", "__"), config, re.sub(r"[^\w.-]+", "_", split) if split else None]
    return save_rows(loaded.rows, Path(out_dir) / ("-".join(p for p in parts if p) + ".jsonl"))
