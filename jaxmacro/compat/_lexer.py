"""Tokenizer for the Dynare model language (after macro processing).

Tokens are numbers, names, quoted strings, LaTeX names (``$...$``, skipped by the parser)
and the punctuation of the language. ``//`` and ``%`` start a comment to the end of the
line, ``/* ... */`` a block comment. Any other character is an error naming its line and
column.
"""

from __future__ import annotations

import dataclasses
import re

from ._errors import ModError


@dataclasses.dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "str", "tex", "op", "eof"
    value: str
    line: int
    col: int  # 1-based, in the original (pre-macro) line


_SPEC = [
    ("ws", r"[ \t\r\f\v]+"),
    ("nl", r"\n"),
    ("comment", r"//[^\n]*|%[^\n]*"),
    ("bcomment", r"/\*"),
    ("num", r"(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?"),
    ("name", r"[A-Za-z_]\w*"),
    ("str", r"'[^'\n]*'|\"[^\"\n]*\""),
    ("tex", r"\$[^$\n]*\$"),
    ("op", r"==|!=|<=|>=|&&|\|\||[-+*/^()\[\],;=#<>:!.]"),
]
_MASTER = re.compile("|".join(f"(?P<{k}>{p})" for k, p in _SPEC))


def tokenize(lines: list[str], colmaps: dict[int, list[int]], filename: str) -> list[Token]:
    """Tokens of the preprocessed `lines`; columns are mapped back through `colmaps`."""
    text = "\n".join(lines)
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)

    def where(pos: int) -> tuple[int, int]:
        # binary search for the line
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        line = lo + 1
        col0 = pos - starts[lo]
        cmap = colmaps.get(line)
        if cmap is not None and col0 < len(cmap):
            col0 = cmap[col0]
        return line, col0 + 1

    def fail(msg, pos):
        line, col = where(pos)
        raise ModError(msg, line, col, filename, lines[line - 1] if line <= len(lines) else None)

    toks: list[Token] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _MASTER.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in "'\"":
                fail("unterminated string", pos)
            if ch == "$":
                fail("unterminated LaTeX name ($...$)", pos)
            if ch == "@":
                fail("macro syntax here is not supported (a directive must start its line)", pos)
            fail(f"unexpected character {ch!r}", pos)
        kind = m.lastgroup
        if kind == "bcomment":
            end = text.find("*/", pos + 2)
            if end < 0:
                fail("unterminated comment /* ... */", pos)
            pos = end + 2
            continue
        if kind not in ("ws", "nl", "comment"):
            line, col = where(pos)
            toks.append(Token(kind, m.group(kind), line, col))
        pos = m.end()
    toks.append(Token("eof", "", len(lines), len(lines[-1]) + 1 if lines else 1))
    return toks
