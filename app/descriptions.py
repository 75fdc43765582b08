"""What each policy preset, scenario and review practice is, with its sources, as its own config file says.

Every file of ``configs/policy/``, ``configs/scenario/`` and ``configs/review/`` opens (after its ``defaults``, for a
preset) with a comment saying what it is and citing the evidence for it by id (``shropshire_first_contact``), and
its values' comments cite more.  The page shows that comment, and each source it and the file cite: the row of
``docs/evidence.md`` with that id (its quote and where it is from), or a seed file's lines cited directly
(``tlap-strengths-based-social-work-2016.txt:L966-967``).  The files are the one place a preset is described: a
preset added there is described in the page without a change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.config import CONFIG_DIR

EVIDENCE = CONFIG_DIR.parent / "docs" / "evidence.md"
_ROW = re.compile(r"^\| `([a-z0-9_]+)` \| (.*?) \| (.*?) \|", re.M)  # | `id` | quote | source | informs |
_WORD = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")  # an evidence id, or any other snake_case word
_SEED_LINES = re.compile(r"[a-z0-9][a-z0-9-]*\.txt:L\d+(?:-\d+)?")  # a seed file's lines, cited directly


@dataclass(frozen=True)
class Source:
    """A source a config cites: an evidence id with its quote and where it is from, or a seed file's lines."""

    cited: str  # the id or the file:lines as the config writes it
    quote: str  # the evidence row's quote ("" for a file cited directly)
    where: str  # the evidence row's source (file and lines, or the publication); the file:lines cited directly


@dataclass(frozen=True)
class Description:
    text: str  # the file's opening comment, as one paragraph
    sources: tuple[Source, ...]  # every source the file cites, in the order it first cites them


@lru_cache(maxsize=None)
def _evidence() -> dict[str, tuple[str, str]]:
    """Every row of ``docs/evidence.md``: id -> (quote, source)."""
    return {key: (quote.strip(), source.strip().strip("`")) for key, quote, source in _ROW.findall(EVIDENCE.read_text())}


@lru_cache(maxsize=None)
def describe(group: str, name: str) -> Description:
    """The description of ``configs/<group>/<name>.yaml`` (a group and option the page offers)."""
    lines = (CONFIG_DIR / group / f"{name}.yaml").read_text().splitlines()
    opening, started = [], False
    for line in lines:
        if line.startswith("#") and not line.startswith("# @package"):
            opening.append(line.lstrip("#").strip())
            started = True
        elif started:
            break
    text = " ".join(opening)
    evidence, sources, seen = _evidence(), [], set()
    for cited in re.findall(f"{_SEED_LINES.pattern}|{_WORD.pattern}", "\n".join(lines)):
        if cited in seen or not (cited in evidence or _SEED_LINES.fullmatch(cited)):
            continue
        seen.add(cited)
        quote, where = evidence.get(cited, ("", cited))
        sources.append(Source(cited, quote, where))
    return Description(text, tuple(sources))
