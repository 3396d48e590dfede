"""Tokenizer for the Dynare model language (after macro processing).

Tokens are numbers, names, quoted strings, LaTeX names (``$...$``, skipped by the parser)
and the punctuation of the language. ``//`` and ``%`` start a comment to the end of the
line, ``/* ... */`` a block comment. Any other character (a MATLAB transpose, a cell
array brace, a function handle's ``@``) becomes a one-character "bad" token: the parser
skips it on MATLAB lines and reports it with line and column in a Dynare statement.
"""

from __future__ import annotations

import dataclasses
import re

from ._errors import ModError


@dataclasses.dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "str", "tex", "op", "bad", "eof"
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


def tokenize(
    lines: list[str],
    colmaps: dict[int, list[int]],
    filename: str,
    linemap: list[int] | None = None,
    src_lines: list[str] | None = None,
) -> list[Token]:
    """Tokens of the preprocessed `lines`; columns are mapped back through `colmaps`
    (keyed by output line) and lines through `linemap` (the original line of each output
    line; macro loops repeat lines)."""
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
        if linemap is not None and line <= len(linemap):
            line = linemap[line - 1]
        return line, col0 + 1

    def fail(msg, pos):
        line, col = where(pos)
        src = src_lines if src_lines is not None else lines
        raise ModError(msg, line, col, filename, src[line - 1] if line <= len(src) else None)

    toks: list[Token] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _MASTER.match(text, pos)
        if m is None:
            # Not a token of the model language: a "bad" token of one character. Native
            # (MATLAB) lines are skipped whole by the parser, so a transpose, a cell array or
            # a function handle there is harmless; in a Dynare statement the parser reports
            # it with its line and column (see _Parser.bad_token).
            line, col = where(pos)
            toks.append(Token("bad", text[pos], line, col))
            pos += 1
            continue
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
    src = src_lines if src_lines is not None else lines
    toks.append(Token("eof", "", len(src), len(src[-1]) + 1 if src else 1))
    return toks
