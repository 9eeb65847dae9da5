"""Every message a person reads, in Simplified Chinese and English: key -> (zh, en), one module per
part of the tool. A key is defined once; `tests/test_output.py` checks that no two modules share one."""

from shiwan.base.messages import check, cli, exchange, read, recognize, report, store

PARTS = (read, recognize, check, store, report, exchange, cli)
MESSAGES: dict[str, tuple[str, str]] = {k: v for part in PARTS for k, v in part.MESSAGES.items()}
