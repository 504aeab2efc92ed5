"""The status machine: the ten national statuses and the only transitions allowed between them.

The table is the national lifecycle as the domain note reads it (dossier-lifecycle.md §3-§10); the
"typical trigger" mapping there is a working one [unverified], so the table is data, in one place.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from motcua.core.errors import Conflict

from .choices import Status

S = Status

# from-status -> the statuses it may move to
TRANSITIONS: dict[int, frozenset[int]] = {
    # Online submission: accepted, refused, asked once for a supplement, or withdrawn (Decree 61/2018
    # Art. 17; Decree 118/2025 Art. 17(2)(a) as amended by Decree 309/2026 Art. 8).
    S.NEW: frozenset({S.RECEIVED, S.NOT_RECEIVED, S.SUPPLEMENT_REQUESTED, S.WITHDRAWAL_REQUESTED}),
    # Received: transferred to the processing unit (Art. 18), payment asked, a result given at once,
    # or the applicant asks to stop (Decree 118/2025 Art. 21).
    S.RECEIVED: frozenset({S.IN_PROGRESS, S.PAYMENT_REQUESTED, S.DONE, S.WITHDRAWAL_REQUESTED}),
    S.NOT_RECEIVED: frozenset(),
    # In progress: supplement during appraisal (Decree 61/2018 Art. 19(4)), payment, done (a result, or a
    # refusal after appraisal with its document), stop request; 8 only where the installation codes a
    # refusal after appraisal as "stopped" (the rule set's refusal_status = 8; domain note §10 [unverified]).
    S.IN_PROGRESS: frozenset({S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.DONE, S.WITHDRAWAL_REQUESTED,
                              S.STOPPED}),
    # Supplement requested: the supplement arrives (back to checking, or back to processing with the
    # clock restarted), the dossier is refused, or the applicant gives up.
    S.SUPPLEMENT_REQUESTED: frozenset({S.NEW, S.IN_PROGRESS, S.NOT_RECEIVED, S.WITHDRAWAL_REQUESTED}),
    S.PAYMENT_REQUESTED: frozenset({S.IN_PROGRESS, S.DONE, S.WITHDRAWAL_REQUESTED}),
    # Stop notice (Circular 03/2025 Art. 7) only while no decision has been issued.
    S.WITHDRAWAL_REQUESTED: frozenset({S.STOPPED}),
    S.STOPPED: frozenset(),
    S.DONE: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
}

# The statuses each action may start from, by slug: declared with the action in the one registry
# (``actions.REGISTRY``), which fills this table when the app loads; the services read it through
# ``check_action`` so that they need not import the registry that calls them.
STARTS: dict[str, frozenset[int]] = {}


def register_starts(starts: dict[str, frozenset[int]]) -> None:
    STARTS.update(starts)


def is_allowed(before: int, after: int) -> bool:
    return after in TRANSITIONS.get(before, frozenset())


def check_transition(before: int, after: int) -> None:
    """Raise a clear ``Conflict`` when the national lifecycle does not allow ``before`` → ``after``."""
    if not is_allowed(before, after):
        raise Conflict(
            _("A dossier cannot go from “%(before)s” to “%(after)s”.")
            % {"before": Status(before).label, "after": Status(after).label},
            code="illegal_transition", details={"from": before, "to": after},
        )


def check_action(action: str, status: int) -> None:
    if status not in STARTS[action]:
        raise Conflict(
            _("This action is not possible while the dossier is “%(status)s”.") % {"status": Status(status).label},
            code="illegal_transition", details={"action": action, "status_code": status},
        )
