"""What a logger writes through the masking log formatter, for tests."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from callcenter.logs import JsonFormatter, LogHandler


@contextmanager
def formatted(name: str, formatter: logging.Formatter | None = None) -> Iterator[io.StringIO]:
    """The lines logger `name` writes at INFO and above, formatted (JSON unless told), while
    the block runs; the logger's level put back afterwards."""
    out = io.StringIO()
    handler = LogHandler(out)
    handler.setFormatter(formatter or JsonFormatter())
    logger = logging.getLogger(name)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
