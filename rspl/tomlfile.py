"""The compiler's TOML files (lint profiles, evaluation bindings): one place that loads a
text and turns a syntax error into its reason, line and column, for a coded diagnostic."""

from __future__ import annotations

import re
import sys
from typing import Any

if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["TomlSyntaxError", "loads"]

_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


class TomlSyntaxError(Exception):
    """The text is not TOML: why (without the position), and where (1-based)."""

    def __init__(self, reason: str, line: int, column: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


def loads(text: str) -> dict[str, Any]:
    """The table `text` holds; `TomlSyntaxError` when it is not TOML."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _POSITION_RE.search(message)
        line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        raise TomlSyntaxError(_POSITION_RE.sub("", message).strip(), line, column) from None
