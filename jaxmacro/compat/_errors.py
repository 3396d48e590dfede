"""The one error type of the .mod importer: every problem names its file, line and column."""

from __future__ import annotations


class ModError(ValueError):
    """A `.mod` file cannot be imported: a syntax error, an unknown name, or an unsupported
    construct.

    The message is one line, ``FILE, line L, column C: what is wrong``. The attributes
    `filename`, `line`, `column` (1-based) and `reason` (the message without the location)
    are there for programs; `source_line` is the offending line of the (preprocessed) file
    when it is known.
    """

    def __init__(
        self,
        reason: str,
        line: int,
        column: int,
        filename: str = "<string>",
        source_line: str | None = None,
    ):
        self.reason = reason
        self.line = int(line)
        self.column = int(column)
        self.filename = filename
        self.source_line = source_line
        super().__init__(f"{filename}, line {self.line}, column {self.column}: {reason}")

    def __reduce__(self):  # picklable (pytest-xdist, multiprocessing)
        return (type(self), (self.reason, self.line, self.column, self.filename, self.source_line))


class ModWarning(UserWarning):
    """Something in a `.mod` file was not used (MATLAB code, commands without effect on the
    decision rules) or was interpreted in a way worth knowing (an order above 2, several
    ``stoch_simul``, a ``NAME_steadystate.m`` file next to the model). The message names the
    file and line."""
