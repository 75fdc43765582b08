"""The pages and text of a PDF that headless Chromium printed, without a PDF library (none is a dependency).

Enough of PDF for what Chromium (Skia) writes: numbered objects in the file body, Flate-compressed
streams, Type0 fonts with a ``ToUnicode`` map, and text shown as hex glyph strings (``Tj``/``TJ``) after a
font is chosen (``/F4 12 Tf``).  A line's spaces are glyphs but a wrapped line has none at its end, and
Chromium sets ligatures (``ﬁ``), so text is compared by :func:`squashed`: without whitespace, NFKC-normalised.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from pathlib import Path

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(number): body for number, body in _OBJECT.findall(data)}


def _stream(body: bytes) -> bytes:
    raw = _STREAM.search(body).group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream")[0] else raw


def _unicode_map(cmap: bytes) -> dict[int, str]:
    """Glyph code -> text, from a ToUnicode CMap's ``bfchar`` and ``bfrange`` sections."""
    found = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(start, 16)
            for k, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[code] = chr(first + k)
    return found


def page_count(pdf: Path) -> int:
    """Page objects (``/Type /Page``, not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(pdf).read_bytes()))


def squashed(text: str) -> str:
    """``text`` without whitespace, ligatures spelt out (NFKC): how a sentence and the PDF's text compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_text(pdf: Path) -> str:
    """All the text the PDF shows, page after page, as :func:`squashed`."""
    objects = _objects(Path(pdf).read_bytes())
    fonts = {number: _unicode_map(_stream(objects[int(m.group(1))]))
             for number, body in objects.items() if (m := re.search(rb"/ToUnicode (\d+) 0 R", body))}
    runs = []
    for body in objects.values():
        if not re.match(rb"\s*<</Type /Page(?![a-zA-Z])", body):
            continue
        names = {name: int(ref) for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body)}
        for ref in re.findall(rb"/Contents (\d+) 0 R", body):
            font: dict[int, str] = {}
            content = _stream(objects[int(ref)])
            for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj", content, re.S):
                if token.group(1):
                    font = fonts.get(names[token.group(1)], {})
                    continue
                hexes = re.findall(rb"<([0-9A-Fa-f]*)>", token.group(2)) if token.group(2) is not None else [token.group(3)]
                codes = b"".join(hexes).decode()
                runs.append("".join(font.get(int(codes[i:i + 4], 16), "") for i in range(0, len(codes), 4)))
    return squashed("".join(runs))
