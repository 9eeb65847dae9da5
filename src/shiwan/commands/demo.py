"""`demo`: the whole job on the built-in default, in a folder of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shiwan.commands.base import (
    ShiwanGroup,
    h,
)

app = typer.Typer(cls=ShiwanGroup)

# -- demo ----------------------------------------------------------------------------------------------------------------


@app.command(help=h("演示:新建演示数据库,生成半年的市汇总表和县级报表(真实 .xlsx 文件),导入后显示全省进度表",
                    "demo: build a demo database, write half a year of returns as real .xlsx files, import them, show the province's progress"))
def demo(
    directory: Annotated[Path, typer.Option("--dir", help=h("演示文件夹(不会动你的 shiwan.db)", "demo folder (your shiwan.db is not touched)"))] = Path("shiwan-demo"),
    months: Annotated[int, typer.Option("--months", min=1, max=12, help=h("生成几个月的报表", "how many months of returns"))] = 6,
    seed: Annotated[int, typer.Option("--seed", help=h("随机数种子(相同种子生成相同数据)", "random seed (same seed, same data)"))] = 2003,
) -> None:
    from shiwan.demo.run import run_demo

    code = run_demo(directory, months=months, seed=seed)
    raise typer.Exit(code)


