"""Reading a `.mod` file's bytes as text, as Dynare does: any encoding, any line ending.

UTF-8 (with or without a byte-order mark) is tried first; otherwise the bytes are read as
Windows-1252, and bytes that code page leaves undefined as Latin-1, so that accented names
and dashes in comments never stop an import. Windows (CRLF) and old Mac (CR) line endings
become newlines. Bytes that cannot be text (NUL) are a [`ModError`][].
"""

from __future__ import annotations

import os

from ._errors import ModError

MAX_FILE_BYTES = 20_000_000


def decode(data: bytes, filename: str = "<string>") -> tuple[str, str]:
    """(text, encoding name) of a file's bytes."""
    if len(data) > MAX_FILE_BYTES:
        raise ModError(
            f"the file has {len(data)} bytes (more than {MAX_FILE_BYTES}): not a model file",
            1,
            1,
            filename,
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise ModError(
            "the file contains NUL bytes: a binary file, not a Dynare model file "
            "(or a UTF-16 text: save it as UTF-8)",
            line,
            col,
            filename,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data, enc = data[3:], "utf-8-sig"
    else:
        enc = "utf-8"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        enc = "cp1252"
        text = (
            "".join(
                data[i : i + 1].decode("cp1252", errors="strict")
                if _cp1252_ok(data[i])
                else data[i : i + 1].decode("latin-1")
                for i in range(len(data))
            )
            if _needs_mixed(data)
            else data.decode("cp1252")
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, enc


_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _cp1252_ok(b: int) -> bool:
    return b not in _CP1252_UNDEFINED


def _needs_mixed(data: bytes) -> bool:
    return any(b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


def read_mod(path: str | os.PathLike) -> str:
    """The text of a `.mod` file. ``OSError`` if it cannot be read; [`ModError`][] if it is
    not text."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    return decode(data, path)[0]
