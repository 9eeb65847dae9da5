"""`db upgrade|backup|restore|check`: the database itself, for the office's administrator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shiwan.base.i18n import t
from shiwan.base.settings import shown_location
from shiwan.commands.base import JsonOpt, ShiwanGroup, db_location_arg, h, stderr

app = typer.Typer(cls=ShiwanGroup)

db_app = typer.Typer(cls=ShiwanGroup, no_args_is_help=True,
                     help=h("数据库本身:升级、备份、恢复、检查(管理员用)", "the database itself: upgrade, back up, restore, check"))
app.add_typer(db_app, name="db")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@db_app.command("upgrade", help=h("把旧版本的数据库升级到本程序的版本:先自动备份,再在一个事务中升级,数据全部保留",
                                  "bring an older database to this program's schema version: a backup first, then one transaction"))
def db_upgrade(
    backup: Annotated[Path | None, typer.Option("--backup", metavar="FILE", help=h("备份文件(默认在数据库旁,带日期时间)",
                                                                                   "backup file (default: beside the database, dated)"))] = None,
    no_backup: Annotated[bool, typer.Option("--no-backup", help=h("不备份(已另行备份时)", "skip the backup (you made one)"))] = False,
) -> None:
    from shiwan.store.backup import backup_database, default_backup_path
    from shiwan.store.schema import upgrade_schema

    location = db_location_arg()
    shown = shown_location(location)
    con = stderr()

    def take_backup(found: str) -> str:
        if no_backup:
            return ""
        rep = backup_database(location, backup or default_backup_path(location, f"before-upgrade-v{found}"))
        con.print(t("db.backup_done", path=rep.path, size=_size(rep.size), version=rep.version))
        return rep.path

    _require_database(location)
    rep = upgrade_schema(location, before_change=take_backup)
    if rep.changed:
        con.print(t("db.upgraded", location=shown, found=rep.found, now=rep.now))
    else:
        con.print(t("db.up_to_date", location=shown, now=rep.now))


@db_app.command("backup", help=h("备份整个数据库到一个文件(SQLite:一致的快照,可边用边备份;PostgreSQL:pg_dump)",
                                 "back up the whole database to a file (SQLite: a consistent snapshot while in use; PostgreSQL: pg_dump)"))
def db_backup(file: Annotated[Path, typer.Argument(metavar="FILE", help=h("备份文件(不会覆盖已有文件)", "backup file (never overwritten)"))]) -> None:
    from shiwan.store.backup import backup_database

    location = db_location_arg()
    _require_database(location)
    rep = backup_database(location, file)
    stderr().print(t("db.backup_done", path=rep.path, size=_size(rep.size), version=rep.version))


@db_app.command("restore", help=h("用备份文件恢复数据库;恢复前的数据库会先另存一份",
                                  "restore the database from a backup; the database as it was is kept in a copy first"))
def db_restore(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=h("shiwan db backup 生成的备份文件", "a file made by shiwan db backup"))],
    no_keep: Annotated[bool, typer.Option("--no-keep", help=h("不另存恢复前的数据库", "do not keep a copy of the database as it was"))] = False,
) -> None:
    from shiwan.ref.constants import SCHEMA_VERSION
    from shiwan.store.backup import default_backup_path, restore_database

    location = db_location_arg()
    keep = None if no_keep else default_backup_path(location, "before-restore")
    rep = restore_database(location, file, keep=keep)
    con = stderr()
    if rep.kept:
        con.print(t("db.restore_kept", path=rep.kept))
    con.print(t("db.restored", location=shown_location(location), source=rep.source, version=rep.version))
    if rep.version != SCHEMA_VERSION:
        con.print(t("db.outdated", location=shown_location(location), found=rep.version, want=SCHEMA_VERSION))


@db_app.command("check", help=h("检查数据库:文件完整、外键、版本、表结构与本程序一致",
                                "check the database: the file is whole, foreign keys hold, version and tables are this program's"))
def db_check(as_json: JsonOpt = False) -> None:
    import json

    from shiwan.store.dbcheck import check_database

    results = check_database(db_location_arg())
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        con = stderr()
        for r in results:
            con.print(("✓ " if r.ok else "✗ ") + t("db.check_" + r.check), highlight=False)
            for d in r.details:
                con.print("    " + d, markup=False, highlight=False)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _require_database(location: str) -> None:
    from shiwan.store.db import DatabaseMissing, sqlite_path

    path = sqlite_path(location)
    if path is not None and not Path(path).is_file():
        raise DatabaseMissing(location)
