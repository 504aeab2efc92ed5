"""Tamper evidence of the dossier event log (docs/security.md §3): the verification of every chain, of each
dossier row against its history, and of both against the signed checkpoints kept outside the database.

``verify`` reports every broken dossier with its reasons, not the first:

- ``link``: an event missing from the sequence, or its link to the previous one broken;
- ``content``: an event's content does not match its HMAC (or, before keys, its SHA-256);
- ``key``: an event (or a checkpoint) names a key this installation does not hold;
- ``downgrade``: a plain SHA-256 event after a keyed one, or written after a checkpoint recorded that every new
  event was keyed (a chain recomputed without the key);
- ``head``: the chain ends before, or elsewhere than, the head the dossier row records, or the row is gone and
  its events remain;
- ``checkpoint``: a dossier a checkpoint recorded is gone, or its chain is shorter than, or differs from, what a
  checkpoint recorded (events removed and the head rolled back; a chain recomputed);
- ``row``: the dossier row disagrees with what its history says (status, code, dates, applicant).

A checkpoint (``write_checkpoint``, run by ``motcua audit checkpoint`` from the scheduler) is a gzip'd JSON file:
for every dossier its id, public id, event count and head hash as the row records them, the highest id of the
events chained before keys, the time, and an HMAC under the audit key over all of it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from . import events
from .choices import EventKind, Status
from .models import Dossier, DossierEvent

FORMAT = "motcua-audit-checkpoint"
PREFIX = "checkpoint-"
SUFFIX = ".json.gz"
# Dates read back from an event's data were rounded to the millisecond by the JSON encoder; two calls of the
# clock in one service may differ by a little: a row date within this of its history's agrees.
TOLERANCE = dt.timedelta(seconds=1)
_MISSING: Any = object()


@dataclass(frozen=True)
class BrokenLink:
    """One problem found, in one dossier (or in a checkpoint file: ``dossier`` "-")."""

    dossier: str
    seq: int | None
    event_id: int | None
    problem: str
    reason: str = "link"
    dossier_id: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.seq is not None:
            where = f", event #{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"dossier {self.dossier}{where}: {self.problem} [{self.reason}]"


@dataclass
class Report:
    dossiers: int = 0
    events: int = 0
    checkpoints: list[str] = field(default_factory=list)
    problems: list[BrokenLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_dossiers(self) -> list[str]:
        return list(dict.fromkeys(p.dossier for p in self.problems))


# --- checkpoints ------------------------------------------------------------------------------------------------

def checkpoint_dir() -> Path:
    return Path(settings.MOTCUA_AUDIT_CHECKPOINT_DIR)


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_checkpoint(now: dt.datetime | None = None, directory: Path | None = None) -> Path:
    """Write the heads of every chain, signed and timestamped, to a new file of the checkpoint directory; return
    its path. Reads the dossier rows (one indexed scan) and the highest unkeyed event id (a partial index): cheap
    enough to run every day, or every hour. The file is written beside and renamed into place, never changed."""
    now = now or timezone.now()
    kid, ring = events.keyring()
    heads = [[pk, code or reference, count, head] for pk, code, reference, count, head in
             Dossier.objects.order_by("pk").values_list("pk", "code", "reference", "event_count",
                                                         "last_event_hash").iterator(chunk_size=5000)]
    legacy_max = DossierEvent.objects.filter(key_id__isnull=True).aggregate(m=Max("id"))["m"] or 0
    body: dict[str, Any] = {"format": FORMAT, "version": 1, "created_at": now.astimezone(dt.UTC).isoformat(),
                            "key_id": kid, "legacy_max_id": legacy_max, "dossiers": heads}
    body["mac"] = events.mac(ring[kid], _canonical(body))
    directory = directory or checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = PREFIX + now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ") + SUFFIX
    path = directory / name
    partial = directory / ("." + name + ".part")
    with open(partial, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
            out.write(_canonical(body))
        raw.flush()
        os.fsync(raw.fileno())
    os.chmod(partial, 0o440)
    os.replace(partial, path)
    return path


def checkpoint_files(directory: Path | None = None) -> list[Path]:
    directory = directory or checkpoint_dir()
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))


def _problem(dossier: str, problem: str, reason: str, *, seq: int | None = None, event_id: int | None = None,
             dossier_id: int | None = None) -> BrokenLink:
    return BrokenLink(dossier, seq, event_id, problem, reason, dossier_id)


def read_checkpoint(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The checkpoint's content if its signature verifies, else None and why."""
    try:
        with gzip.open(path, "rb") as f:
            body = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError, EOFError) as exc:
        return None, f"cannot be read ({exc.__class__.__name__})"
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        return None, "is not an audit checkpoint"
    signature = body.pop("mac", "")
    key = events.keyring()[1].get(str(body.get("key_id")))
    if key is None:
        return None, f"is signed with a key this installation does not hold ({body.get('key_id')})"
    if not isinstance(signature, str) or not hmac.compare_digest(signature,
                                                                         events.mac(key, _canonical(body))):
        return None, "does not match its signature (file altered)"
    return body, ""


@dataclass
class _Expected:
    """What the checkpoints say, merged: for each dossier, each recorded event count with its head and the first
    checkpoint that recorded it; the lowest bound on the unkeyed events."""

    heads: dict[int, dict[int, tuple[str, str]]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    conflicts: dict[int, str] = field(default_factory=dict)
    legacy_max: tuple[int, str] | None = None


def _load(paths: Iterable[Path], report: Report) -> _Expected:
    expected = _Expected()
    for path in paths:
        body, why = read_checkpoint(path)
        if body is None:
            report.problems.append(_problem("-", f"checkpoint {path.name} {why}", "checkpoint"))
            continue
        report.checkpoints.append(path.name)
        bound = int(body.get("legacy_max_id") or 0)
        if expected.legacy_max is None or bound < expected.legacy_max[0]:
            expected.legacy_max = (bound, f"checkpoint {path.name}")
        for pk, name, count, head in body.get("dossiers", []):
            expected.names.setdefault(pk, name)
            if not count:
                continue
            known = expected.heads.setdefault(pk, {}).setdefault(count, (head, path.name))
            if known[0] != head and pk not in expected.conflicts:
                expected.conflicts[pk] = (f"checkpoints {known[1]} and {path.name} record different events "
                                          f"#{count} (history rewritten between them)")
    return expected


# --- one dossier ------------------------------------------------------------------------------------------------

def _check_chain(dossier: Dossier, chain: list[DossierEvent], ring: dict[str, bytes],
                 legacy_max: tuple[int, str] | None) -> list[BrokenLink]:
    name, pk = dossier.public_id, dossier.pk
    prev, expected, keyed = "", 1, False
    for event in chain:
        where = {"seq": event.seq, "event_id": event.pk, "dossier_id": pk}
        if event.seq != expected:
            return [_problem(name, f"event #{expected} is missing (found #{event.seq})", "link", seq=expected,
                             dossier_id=pk)]
        if event.prev_hash != prev:
            return [_problem(name, "previous-hash link does not match", "link", **where)]
        if event.key_id:
            key = ring.get(event.key_id)
            if key is None:
                return [_problem(name, f"made with a key this installation does not hold ({event.key_id})", "key",
                                 **where)]
            if not hmac.compare_digest(events.event_digest(event, key), event.hash):
                return [_problem(name, "content does not match its HMAC (row altered or chain recomputed)",
                                 "content", **where)]
            keyed = True
        else:
            if keyed:
                return [_problem(name, "an unkeyed event after a keyed one (chain recomputed without the key)",
                                 "downgrade", **where)]
            if legacy_max is not None and event.pk > legacy_max[0]:
                return [_problem(name, f"an unkeyed event newer than {legacy_max[1]}, when every new event was "
                                 "keyed (chain recomputed without the key, or written by an app server of an older "
                                 "release during the upgrade)", "downgrade", **where)]
            if event.kind == EventKind.CREATED and isinstance(event.data, dict) and "applicant_mac" in event.data:
                return [_problem(name, "an unkeyed intake event carrying the applicant's MAC, which only a keyed "
                                 "release writes (chain recomputed without the key)", "downgrade", **where)]
            if events.event_digest(event) != event.hash:
                return [_problem(name, "content does not match its hash (row altered)", "content", **where)]
        prev = event.hash
        expected += 1
    if expected - 1 != dossier.event_count or prev != dossier.last_event_hash:
        return [_problem(name, f"the chain ({expected - 1} events) ends before or elsewhere than the dossier's "
                               f"recorded head ({dossier.event_count} events; events removed)", "head",
                         seq=expected, dossier_id=pk)]
    return []


def _check_checkpoints(dossier: Dossier, chain: list[DossierEvent], expected: _Expected) -> list[BrokenLink]:
    name, pk = dossier.public_id, dossier.pk
    if pk in expected.conflicts:
        return [_problem(name, expected.conflicts[pk], "checkpoint", dossier_id=pk)]
    hashes = {e.seq: e.hash for e in chain}
    last = max(hashes, default=0)
    for count, (head, source) in sorted(expected.heads.get(pk, {}).items()):
        if count > last:
            return [_problem(name, f"checkpoint {source} recorded {count} events; the database holds {last} "
                                   "(events removed and the head rolled back)", "checkpoint", dossier_id=pk)]
        if hashes.get(count) != head:
            return [_problem(name, f"event #{count} is not the one checkpoint {source} recorded (history "
                                   "rewritten)", "checkpoint", seq=count, dossier_id=pk)]
    return []


def _when(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _same_time(a: Any, b: Any) -> bool:
    x, y = _when(a), _when(b)
    if x is None or y is None:
        return x is y
    return abs(x - y) <= TOLERANCE


BINDING_KINDS = (EventKind.CREATED, EventKind.APPLICANT_CORRECTED, EventKind.APPLICANT_ANONYMISED)


def replay(chain: list[DossierEvent]) -> dict[str, Any]:
    """What the history says the row holds. Only what events carry: the status (every status change), the code
    (the intake's or the acceptance's event), the receipt time and the promised date (the clock's events), the
    end dates (the status changes to 3, 8 and 10, a refusal), the applicant's fields (bound by a MAC in the intake
    event since this check exists). A value no event carries is absent (not checked)."""
    state: dict[str, Any] = {"returned_at": None, "stopped_at": None, "refused_at": None}
    for e in chain:
        data = e.data if isinstance(e.data, dict) else {}
        if e.status_after is not None:
            state["status"] = e.status_after
            if e.status_after == Status.RETURNED:
                state["returned_at"] = e.at
            elif e.status_after == Status.STOPPED and not data.get("refusal"):
                state["stopped_at"] = e.at  # not a refusal after appraisal that a rule set sends to 8
            elif e.status_after == Status.NOT_RECEIVED:
                state["refused_at"] = e.at
        if e.kind == EventKind.REFUSED:
            state["refused_at"] = e.at
        if e.kind in (EventKind.CREATED, EventKind.CODE_ASSIGNED) and "code" in data:
            state["code"] = data["code"]
        if e.kind in (EventKind.CREATED, EventKind.CODE_ASSIGNED, EventKind.CLOCK) and "received_at" in data:
            state["received_at"] = data["received_at"]
        if e.kind in (EventKind.CREATED, EventKind.CODE_ASSIGNED, EventKind.CLOCK, EventKind.DATES_MOVED) \
                and "due_at" in data:
            state["due_at"] = data["due_at"]
        elif e.kind == EventKind.CLOCK and e.reason == "paused":
            state["due_at"] = None  # a supplement asked during processing pauses the clock: no promised date
        # The intake binds the applicant's fields; an accepted correction (``services.correct_applicant``) and the
        # removal after the retention period (``services.anonymise_dossier``) bind them again: the row must agree
        # with the last binding.
        if e.kind in BINDING_KINDS and isinstance(data.get("applicant_mac"), dict):
            state["applicant_mac"] = data["applicant_mac"]
    return state


def _check_row(dossier: Dossier, chain: list[DossierEvent], ring: dict[str, bytes]) -> list[BrokenLink]:
    name, pk = dossier.public_id, dossier.pk
    if not chain:
        return [_problem(name, "the dossier has no history", "row", dossier_id=pk)]
    state = replay(chain)
    found = []
    if state.get("status", dossier.status) != dossier.status:
        found.append(f"status is {dossier.status} on the row, {state['status']} after its history")
    if state.get("code", _MISSING) is not _MISSING and (state["code"] or None) != (dossier.code or None):
        found.append(f"code is {dossier.code!r} on the row, {state['code']!r} in its history")
    for f in ("received_at", "due_at", "returned_at", "stopped_at", "refused_at"):
        told = state.get(f, _MISSING)
        if told is not _MISSING and not _same_time(getattr(dossier, f), told):
            found.append(f"{f} is {getattr(dossier, f)} on the row, {told} in its history")
    bound = state.get("applicant_mac")
    if bound:
        key = ring.get(str(bound.get("key")))
        if key is None:
            found.append(f"the applicant was bound with a key this installation does not hold ({bound.get('key')})")
        elif not hmac.compare_digest(events.applicant_digest(dossier, key), str(bound.get("mac"))):
            found.append("the applicant's fields differ from those recorded at intake")
    return [_problem(name, f"the row disagrees with its history: {what}", "row", dossier_id=pk) for what in found]


# --- everything -------------------------------------------------------------------------------------------------

ROW_FIELDS = ("pk", "code", "reference", "event_count", "last_event_hash", "status", "received_at", "due_at",
              "returned_at", "stopped_at", "refused_at", *events.APPLICANT_FIELDS)


def with_chains(dossiers: QuerySet[Dossier], page: int = 500) -> Iterator[tuple[Dossier, list[DossierEvent]]]:
    """Each dossier with its events in order: a page of dossiers by id, then the events of the whole page in one
    query (as ``facts.iter_built`` does), not a query per dossier — a province's million dossiers are walked in
    two thousand queries, not a million. ``dossiers`` is ordered by id (it may be narrowed with ``only``). Public:
    the integrity scan (``motcua.insight``) walks the history with it too."""
    last = 0
    while True:
        rows = list(dossiers.filter(pk__gt=last)[:page])
        if not rows:
            return
        last = rows[-1].pk
        by: dict[int, list[DossierEvent]] = {}
        for event in DossierEvent.objects.filter(events.of_page([d.pk for d in rows])).order_by("dossier_id", "seq"):
            by.setdefault(event.dossier_id, []).append(event)
        for dossier in rows:
            yield dossier, by.get(dossier.pk, [])


def verify(dossier_ids: list[int] | None = None, *, checkpoints: str = "all",
           directory: Path | None = None) -> Report:
    """Walk every chain (or those of ``dossier_ids``) and check each dossier's row against its history and both
    against the checkpoints (``checkpoints``: "all", "latest" or "none"); report every problem, in dossier id
    order, the checkpoint files' own problems first."""
    report = Report()
    _kid, ring = events.keyring()
    paths = checkpoint_files(directory) if checkpoints != "none" else []
    expected = _load(paths[-1:] if checkpoints == "latest" else paths, report)
    # Every event since the first keyed one is keyed: an unkeyed one with a higher id was not written by this release.
    first_keyed = DossierEvent.objects.filter(key_id__isnull=False).aggregate(m=Min("id"))["m"]
    if first_keyed is not None and (expected.legacy_max is None or first_keyed - 1 < expected.legacy_max[0]):
        expected.legacy_max = (first_keyed - 1, f"the first keyed event (id {first_keyed})")
    dossiers = Dossier.objects.order_by("pk").only(*ROW_FIELDS)
    if dossier_ids is not None:
        dossiers = dossiers.filter(pk__in=dossier_ids)
    seen: set[int] = set()
    for dossier, chain in with_chains(dossiers):
        seen.add(dossier.pk)
        report.dossiers += 1
        report.events += len(chain)
        report.problems += _check_chain(dossier, chain, ring, expected.legacy_max)
        report.problems += _check_checkpoints(dossier, chain, expected)
        report.problems += _check_row(dossier, chain, ring)
    wanted = set(dossier_ids) if dossier_ids is not None else None
    if wanted is None:  # events left behind by a dossier row deleted (its foreign key dropped first)
        orphans = (DossierEvent.objects.exclude(dossier_id__in=Dossier.objects.values("pk"))
                   .values_list("dossier_id").annotate(n=Count("id")).order_by("dossier_id"))
        for pk, n in orphans:
            seen.add(pk)
            report.problems.append(_problem(expected.names.get(pk, f"#{pk}"), f"{n} events whose dossier row is "
                                            "gone (deleted)", "checkpoint" if pk in expected.names else "head",
                                            dossier_id=pk))
    for pk in sorted(set(expected.heads) | set(expected.names)):
        if pk not in seen and (wanted is None or pk in wanted):
            counts = expected.heads.get(pk) or {0: ("", "")}
            count = max(counts)
            source = counts[count][1] or report.checkpoints[-1]
            report.problems.append(_problem(
                expected.names.get(pk, f"#{pk}"), f"checkpoint {source} recorded this dossier with {count} events; "
                "it is not in the database (deleted)", "checkpoint", dossier_id=pk))
    return report
