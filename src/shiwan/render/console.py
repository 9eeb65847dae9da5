"""The Rich console everything for people goes through: text printed on it cannot drive the terminal.

Control characters in what is printed (a file name with ESC[2J, a title-setting ESC]0;, a newline
forging a row) are shown escaped, and Rich's own [markup] is off unless a caller asks for it with text
it escaped itself: a unit named `[blink]` prints as typed.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from shiwan.base.safetext import shown


class SafeConsole(Console):
    """A Console whose `print` escapes control characters in the strings it is given (line breaks
    stay), with markup off by default."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("markup", False)
        kwargs.setdefault("highlight", False)
        super().__init__(**kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:  # noqa: A003 - Rich's name
        super().print(*(shown(o, keep_newlines=True) if isinstance(o, str) else o for o in objects), **kwargs)


def stderr_console() -> SafeConsole:
    return SafeConsole(stderr=True, soft_wrap=True)
