"""Message ids of the dossier statuses and event kinds that citizen pages and notices show.

They are defined in ``motcua.dossiers.choices``; listing them here puts them in the portal's catalogue so
that a citizen reads them in Vietnamese (names of DVCQG ``TrangThaiHoSo``, domain note §10) even before the
dossier app ships its own catalogue. Identical translations in two catalogues do not conflict.
"""

from django.utils.translation import gettext_noop

LABELS = [
    gettext_noop("Newly submitted"), gettext_noop("Received"), gettext_noop("Not received"),
    gettext_noop("In progress"), gettext_noop("Supplement requested"), gettext_noop("Payment requested"),
    gettext_noop("Applicant asked to withdraw"), gettext_noop("Stopped"), gettext_noop("Processing done"),
    gettext_noop("Result returned"),
    gettext_noop("Dossier created"), gettext_noop("Status changed"), gettext_noop("Dossier code assigned"),
    gettext_noop("Legal clock changed"), gettext_noop("Document added"), gettext_noop("Form issued"),
    gettext_noop("Personal data viewed"), gettext_noop("Assigned"),
    gettext_noop("Individual"), gettext_noop("Organisation"),
]
