"""`review approve|return|reopen|list`: sign-off per return (已收, 已审核, 退回 with the reason)."""

from __future__ import annotations

from typing import Annotated

import typer

from shiwan.base.i18n import t
from shiwan.commands.base import (
    Fmt,
    FormatOpt,
    ShiwanGroup,
    emit_table,
    h,
    open_database,
    period_option,
    stderr,
)

app = typer.Typer(cls=ShiwanGroup)
review_app = typer.Typer(cls=ShiwanGroup, no_args_is_help=True,
                         help=h("报表审核:逐份审核通过、退回(附原因)或重新打开;已审核的报表不能再被导入修改",
                                "sign-off per return: approve, return (with the reason) or reopen; an approved return is not overwritten"))
app.add_typer(review_app, name="review")

UnitOpt = Annotated[str, typer.Option("--unit", help=h("报送单位代码", "reporting unit code"))]
PeriodOpt = Annotated[str, typer.Option("--period", help=h("期别 YYYY-MM", "period YYYY-MM"))]


def _act(action: str, unit: str, period: str, reason: str = "") -> None:
    from shiwan.ref.units import UnitTree
    from shiwan.store.review import review

    p = period_option(period)
    assert p is not None
    with open_database() as db:
        u = UnitTree.from_db(db).require(unit, p)
        st = review(db, action, u.id, u.name, p, reason)
    stderr().print(t(f"review.done.{action}", unit=u.name, period=p, by=st.user, at=st.at[:16].replace("T", " "),
                     reason=st.reason))


@review_app.command("approve", help=h("审核通过一份报表(记录审核人和时间);此后导入不能再修改它,除非 reopen",
                                      "approve a return (who and when are recorded); imports cannot change it until reopened"))
def review_approve(unit: UnitOpt, period: PeriodOpt) -> None:
    _act("approve", unit, period)


@review_app.command("return", help=h("退回一份报表并说明原因(催报名单中会显示)", "send a return back, with the reason (the 催报 list shows it)"))
def review_return(
    unit: UnitOpt,
    period: PeriodOpt,
    reason: Annotated[str, typer.Option("--reason", help=h("退回原因", "why it is sent back"))] = "",
) -> None:
    _act("return", unit, period, reason)


@review_app.command("reopen", help=h("重新打开已审核的报表,以便修订", "reopen an approved return so that it can be revised"))
def review_reopen(unit: UnitOpt, period: PeriodOpt) -> None:
    _act("reopen", unit, period)


@review_app.command("list", help=h("列出某期各单位报表的审核状态:未报、已收、已审核、退回(原因)、重新打开",
                                   "each unit's return for a period: missing, received, approved, returned (why), reopened"))
def review_list(
    period: PeriodOpt,
    under: Annotated[str | None, typer.Option("--under", help=h("只列此单位及其下级", "only this unit and those below it"))] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    from shiwan.store.review import review_table

    p = period_option(period)
    assert p is not None
    with open_database() as db:
        emit_table(review_table(db, p, under), fmt.value)
