"""The floor for a progress report: one process that opens the database with sqlite3, runs the one
aggregate query that computes the report's numbers and prints them.

For each unit directly below UNDER: 本月 and 本年累计 of the three headline indicators at PERIOD,
summed over the unit and everything below it (each unit's own return, channel 0). On the bench's
database, where every unit reports every month, these are the report's own 本月 and 本年累计
(report_bench.py checks that they are). It knows nothing of carried figures, partial totals or
reported counts, targets, ranks or formatting: the work a report does beyond the sum.

Usage: python bench/report_sql.py DB UNDER PERIOD
"""

import sqlite3
import sys

QUERY = """
WITH RECURSIVE sub(id, top) AS (
    SELECT u.id, u.id FROM unit u JOIN unit p ON u.parent_id = p.id WHERE p.code = ?
    UNION ALL
    SELECT u.id, s.top FROM unit u JOIN sub s ON u.parent_id = s.id
)
SELECT t.code, i.code, SUM(f.month), SUM(f.ytd)
FROM figure f JOIN sub s ON s.id = f.unit_id JOIN unit t ON t.id = s.top JOIN indicator i ON i.id = f.indicator_id
WHERE f.period = ? AND f.channel = 0 AND i.code IN ('reemployed', 'referrals', 'trained')
GROUP BY t.code, i.code ORDER BY t.code, i.code
"""


def main() -> None:
    db, under, period = sys.argv[1:4]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for code, ind, month, ytd in con.execute(QUERY, (under, period)):
        print(code, ind, month, ytd)


if __name__ == "__main__":
    main()
