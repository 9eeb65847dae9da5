"""Language selection and message lookup.

Everything a clerk reads is Simplified Chinese by default; `--lang en` or `SHIWAN_LANG=en` switches
to English. Messages live in `messages.py` as key -> (zh, en) so that library code returns keys with
parameters and only the edge (CLI, report writers) renders them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

LANGS = ("zh", "en")
_lang: str | None = None


def set_lang(lang: str | None) -> None:
    global _lang
    _lang = normalize_lang(lang) if lang else None


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Messages in `lang` for a while (a return sent to another office is written in Chinese, whatever
    the clerk reads)."""
    global _lang
    saved = _lang
    _lang = lang
    try:
        yield
    finally:
        _lang = saved


def normalize_lang(value: str) -> str:
    v = value.strip().lower().replace("_", "-")
    if v.startswith("en"):
        return "en"
    if v.startswith("zh") or v in ("cn", "chs"):
        return "zh"
    raise ValueError(value)


def get_lang() -> str:
    if _lang:
        return _lang
    env = os.environ.get("SHIWAN_LANG")
    if env:
        try:
            return normalize_lang(env)
        except ValueError:
            return "zh"
    return "zh"


def is_en() -> bool:
    return get_lang() == "en"


def t(key: str, /, **params: object) -> str:
    """The message `key` in the current language, formatted with `params`."""
    from shiwan.base.messages import MESSAGES

    pair = MESSAGES.get(key)
    if pair is None and os.environ.get("SHIWAN_STRICT_MESSAGES"):
        raise KeyError(f"no message {key!r}")
    text = key if pair is None else pair[1] if get_lang() == "en" else pair[0]
    if params or "{" in text:
        from shiwan.base.safetext import quoted

        # a name or value someone wrote is quoted escaped and cut: it cannot drive a terminal
        params = {k: quoted(v) if isinstance(v, str) else v for k, v in params.items()}
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            if os.environ.get("SHIWAN_STRICT_MESSAGES"):  # the tests: a missing parameter is a bug
                raise
            return text
    return text


def pick(zh: str, en: str | None) -> str:
    """Choose between a Chinese and an English name of the same thing (English may be missing)."""
    return en if (get_lang() == "en" and en) else zh
