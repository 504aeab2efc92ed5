from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = _("Feedback and petitions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.notifications import selectors as notices

        from . import signals
        from .access import reads_subject

        # The notices about an item carry its sender's name and contact: read exactly by who reads the item.
        notices.register_subject_access("feedback", reads_subject)
        signals.connect()  # the revision token of the kept public pages of answers
