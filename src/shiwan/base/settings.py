"""Where things are: the database, the built-in data folder, the language, the OS user."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DEFAULT_DB = "shiwan.db"


def data_dir() -> Path:
    """The built-in defaults: inside the installed package, or the repository's `data/` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "data"
    if packaged.is_dir():
        return packaged
    return package.parent.parent / "data"


def db_location(cli_value: str | None = None) -> str:
    """`--db` wins, then `SHIWAN_DB`, then `./shiwan.db`. A path or an SQLAlchemy URL."""
    return cli_value or os.environ.get("SHIWAN_DB") or DEFAULT_DB


def shown_location(location: str) -> str:
    """A database location fit to print: the password of a server URL replaced by ***."""
    import re

    return re.sub(r"(://[^:/@]+:)[^/?#]*@", r"\1***@", location)


def os_user() -> str:
    """The person at the keyboard, as the operating system knows them."""
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
