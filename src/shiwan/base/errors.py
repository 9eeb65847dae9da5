"""Errors a user can cause, carried as message keys so that the CLI prints them in their language."""

from __future__ import annotations


class UserError(Exception):
    """Something the user asked for cannot be done; `key` names the message in `messages.py`.

    exit_code 1: some input was refused; 2: the command was used wrongly."""

    def __init__(self, key: str, /, exit_code: int = 1, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params
        self.exit_code = exit_code

    def text(self) -> str:
        from shiwan.base.problems import Problem

        return Problem("error", self.key, dict(self.params)).message()


class UsageError(UserError):
    """A command used wrongly (exit status 2)."""

    def __init__(self, key: str, /, **params: object):
        super().__init__(key, exit_code=2, **params)


class FileContentError(ValueError):
    """A data file (units, catalog, campaign, scoring scheme) that cannot be used: where in it, and a
    message key, so that it reads in the user's language like every other message."""

    def __init__(self, where: object, key: str, /, **params: object):
        super().__init__(key)
        self.where = str(where)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        from shiwan.base.i18n import t

        text = t(self.key, **self.params)
        return f"{self.where}: {text}" if self.where else text
