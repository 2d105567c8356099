"""The queues' service rules, held in one place and replaceable while the server runs: the
router, the max-wait timer, the offers and the wallboard all read them from here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from agents.models import QueueConfig
from agents.routing import queue_configs


class QueueBook(Mapping[str, QueueConfig]):
    """The configured queues by name. Whoever holds the book sees a replacement at once."""

    def __init__(self, configs: Mapping[str, QueueConfig]) -> None:
        self._by_name: Mapping[str, QueueConfig] = dict(configs)

    def replace(self, configs: Iterable[QueueConfig]) -> None:
        """Put new rules in place of all queues (checked: no duplicates, known overflow
        queues; `ValueError` otherwise, and the old rules stay)."""
        self._by_name = dict(queue_configs(configs))

    def __getitem__(self, name: str) -> QueueConfig:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def wrap_up_ms(self, queue: str) -> int:
        """The timed wrap-up after a call of `queue` (30 s for a queue no longer known)."""
        config = self._by_name.get(queue)
        return (config.wrap_up_seconds if config is not None else 30) * 1000
