"""Who may read and do what on a feedback item.

- The public reads a published answer (never the sender's data) and nothing else.
- The sender reads their own item through its code and the secret printed on the receipt (or as the
  citizen account that sent it), may add information when asked, react to the answer and follow it up.
- The agency's own officers (``own_unit_ids``: the officers of the agency and of its divisions and desk,
  never those of the units above it) read its items; the inspector reads every item and writes nothing;
  an officer of another agency gets 404, as for a dossier.
- Writes by role: the desk and the division heads classify, route, forward, reject, merge and mark spam;
  the assigned officer (or a division head) asks for information and drafts the answer; the division head
  reviews; the agency's leader approves, extends, publishes and decides on an officer's conduct.
"""

from __future__ import annotations

import secrets
from functools import cached_property

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, own_unit_ids

from .models import FeedbackItem


def _member(user: User, capability: Capability, unit_id: int | None) -> bool:
    if not user.is_authenticated or unit_id is None:
        return False
    ids = own_unit_ids(user, capability)
    return ids is None or unit_id in ids


def _member_strict(user: User, capability: Capability, unit_id: int | None) -> bool:
    """As ``_member`` but a tree-wide role (the inspector, the administrator) does not count: they read,
    they do not act in an agency's name."""
    if not user.is_authenticated or unit_id is None:
        return False
    ids = own_unit_ids(user, capability)
    return ids is not None and unit_id in ids


def agencies_read(user: User) -> set[int] | None:
    """The agencies whose items ``user`` reads as staff (None: all of them); empty for the public."""
    if not user.is_authenticated:
        return set()
    ids = own_unit_ids(user, Capability.VIEW_DOSSIERS)
    return None if ids is None else ids


def is_staff_reader(user: User) -> bool:
    ids = agencies_read(user)
    return ids is None or bool(ids)


class Access:
    def __init__(self, user: User, item: FeedbackItem) -> None:
        self.user = user
        self.item = item

    @cached_property
    def reads(self) -> bool:
        return _member(self.user, Capability.VIEW_DOSSIERS, self.item.agency_id)

    @cached_property
    def desk(self) -> bool:
        return _member_strict(self.user, Capability.RECEIVE_DOSSIERS, self.item.agency_id)

    @cached_property
    def head(self) -> bool:
        return _member_strict(self.user, Capability.ASSIGN_DOSSIERS, self.item.agency_id)

    @cached_property
    def leader(self) -> bool:
        return _member_strict(self.user, Capability.SIGN_RESULTS, self.item.agency_id)

    @cached_property
    def officer(self) -> bool:
        return _member_strict(self.user, Capability.PROCESS_DOSSIERS, self.item.agency_id)

    @cached_property
    def assignee(self) -> bool:
        return self.item.assignee_id is not None and self.item.assignee_id == self.user.pk

    @property
    def sees_sender(self) -> bool:
        """The sender's identity and contact in full, and the receipt that carries the tracking secret: for the
        agency's own officers, who handle the item; masked for a tree-wide reader (the inspector, the
        administrator), as a dossier's applicant is (DESIGN.md, Privacy)."""
        return self.desk or self.head or self.leader or self.officer

    @property
    def routes(self) -> bool:
        """Classifies, assigns, forwards, rejects, merges, marks spam."""
        return self.desk or self.head or self.leader

    @property
    def drafts(self) -> bool:
        return self.assignee or self.head or (self.leader and self.item.assignee_id is None)

    @property
    def sender(self) -> bool:
        return (self.user.is_authenticated and self.item.sender_account_id is not None
                and self.item.sender_account_id == self.user.pk)


def may_enter(user: User, agency_id: int) -> bool:
    """Enter an item that came by letter, phone, e-mail or in person (the register of Decree 20/2008 Art.
    9): the agency's desk, its division heads and its leaders."""
    return any(_member_strict(user, cap, agency_id) for cap in (
        Capability.RECEIVE_DOSSIERS, Capability.ASSIGN_DOSSIERS, Capability.SIGN_RESULTS))


def reads_subject(user: User, subject_ref: str) -> bool:
    """Whether ``user`` may read the notices about ``feedback:<code>``: those who read the item as staff."""
    code = subject_ref.partition(":")[2]
    if not code or not user.is_authenticated:
        return False
    item = FeedbackItem.objects.filter(code=code).only("pk", "agency_id", "assignee_id", "sender_account_id").first()
    return item is not None and Access(user, item).reads


def is_sender(item: FeedbackItem, secret: str = "", user: User | None = None) -> bool:
    """The item's sender: the account that sent it, or whoever holds the receipt's tracking secret. Compared
    as bytes: ``compare_digest`` refuses a str with non-ASCII characters (a TypeError, i.e. a 500)."""
    if user is not None and user.is_authenticated and item.sender_account_id == user.pk:
        return True
    return bool(secret) and secrets.compare_digest(secret.encode("utf-8", "replace"), item.secret.encode())
