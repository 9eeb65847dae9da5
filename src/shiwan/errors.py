"""Errors a user can cause, carried as message keys so that the CLI prints them in their language."""

from __future__ import annotations


class UserError(Exception):
    """Something the user asked for cannot be done; `key` names the message in `messages.py`.

    exit_code 1: some input was refused; 2: the command was used wrongly."""

    def __init__(self, key: str, exit_code: int = 1, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params
        self.exit_code = exit_code

    def text(self) -> str:
        from shiwan.i18n import t

        return t(self.key, **self.params)


class UsageError(UserError):
    """A command used wrongly (exit status 2)."""

    def __init__(self, key: str, **params: object):
        super().__init__(key, exit_code=2, **params)
