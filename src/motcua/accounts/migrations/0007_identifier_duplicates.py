"""Before two accounts are forbidden to share a sign-in e-mail or phone (0008, issue 21): bring the phones to their
canonical form and settle the duplicates an installation may already hold, so that the constraint can be created.

Nobody is merged and no account is deleted or disabled. For each e-mail (compared without case) or phone held by
more than one account, ONE account keeps it, in this order of preference: the account whose user name is that
address (sign-in already resolves the address to it), an active account over a disabled one, the most recent
sign-in, then the oldest account. On every other account the field is emptied; that account keeps its user name,
password and dossiers. Each emptied field is written to django-auditlog's record of the account (old and new value,
no actor, ``additional_data`` naming this migration) and the migration prints the account ids, without the
addresses, so that the operator can reach the people concerned (docs/security.md, "Account identifiers").
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from typing import Any

from django.db import migrations

from motcua.accounts.identifiers import canonical_phone

MIGRATION = "accounts.0007_identifier_duplicates"
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def _say(line: str) -> None:
    sys.stdout.write(f"  {MIGRATION}: {line}\n")


def _preference(value: str):  # type: ignore[no-untyped-def]
    def rank(user: Any) -> tuple[bool, bool, dt.datetime, int]:
        return (user.username.lower() == value, user.is_active, user.last_login or _NEVER, -user.pk)
    return rank


def resolve(apps: Any, schema_editor: Any) -> None:
    db = schema_editor.connection.alias
    User = apps.get_model("accounts", "User")
    users = User.objects.using(db)
    reformatted = 0
    for pk, phone in list(users.exclude(phone="").values_list("pk", "phone")):
        if canonical_phone(phone) != phone:
            users.filter(pk=pk).update(phone=canonical_phone(phone))
            reformatted += 1
    if reformatted:
        _say(f"{reformatted} phone number(s) written in the canonical form (0912345678).")
    emptied: list[tuple[Any, str, str, Any]] = []
    for field in ("email", "phone"):
        groups: dict[str, list[Any]] = defaultdict(list)
        for user in users.exclude(**{field: ""}).only("pk", "username", "is_active", "last_login", field):
            # ``lower`` as the constraint's LOWER(email): the same address whatever its case.
            groups[getattr(user, field).lower() if field == "email" else getattr(user, field)].append(user)
        for value, holders in sorted(groups.items()):
            if len(holders) < 2:
                continue
            keeper = max(holders, key=_preference(value))
            for user in sorted(holders, key=lambda u: u.pk):
                if user.pk != keeper.pk:
                    old = getattr(user, field)
                    users.filter(pk=user.pk).update(**{field: ""})
                    emptied.append((user, field, old, keeper))
            others = ", ".join(str(pk) for pk in sorted(u.pk for u in holders if u.pk != keeper.pk))
            _say(f"the {field} of account {keeper.pk} was also held by account(s) {others}: kept on {keeper.pk}, "
                 f"emptied on the others (their user name, password and dossiers are unchanged).")
    if emptied:
        _record(apps, db, emptied)
        _say(f"{len(emptied)} field(s) emptied; each is in the audit log of its account. See docs/security.md, "
             f"'Account identifiers'.")


def _record(apps: Any, db: str, emptied: list[tuple[Any, str, str, Any]]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    content_type, _created = ContentType.objects.using(db).get_or_create(app_label="accounts", model="user")
    for user, field, old, keeper in emptied:
        LogEntry.objects.using(db).create(
            content_type=content_type, object_pk=str(user.pk), object_id=user.pk, object_repr=user.username,
            action=1,  # update
            changes={field: [old, ""]}, changes_text="", actor=None,
            additional_data={"migration": MIGRATION, "reason": f"{field} also held by account {keeper.pk}, "
                                                               "which keeps it (two accounts may not share it)"})


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_security_keys"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(resolve, migrations.RunPython.noop, elidable=True),
    ]
