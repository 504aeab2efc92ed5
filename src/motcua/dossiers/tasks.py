"""Background work of the dossier app, and the switch that mutes the reactions to dossier events.

Notices are not sent from here. Every notice about a dossier (to the applicant on a status change or an
apology, to the officers on a late flag, a reminder, an escalation) is made by one receiver of the dossier
event (``motcua.portal.receivers``) through ``motcua.notifications``, inside the transaction that appends
the event, so it is kept, with its delivery record, if and only if the event is.

``muted()`` sets aside every reaction to dossier events in the current thread: the notices and the
statistics refresh. Whoever mutes refreshes the statistics afterwards (the demo rebuilds them once).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def muted() -> Iterator[None]:
    """Inside, no notice is sent and the statistics are not refreshed for dossier events (a backdated demo
    history must not message anyone). Nests; applies to the current thread only."""
    before = is_muted()
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = before


def is_muted() -> bool:
    return bool(getattr(_state, "muted", False))
