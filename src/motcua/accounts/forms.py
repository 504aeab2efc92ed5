from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is wrong. Both are case-sensitive."),
        "inactive": _("This account is disabled. Contact the one-stop desk."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class CodeForm(forms.Form):
    """The second step of a staff sign-in: a code from the authenticator app, or (``recovery``) a recovery
    code. The field is named for what browsers and password managers fill in (``one-time-code``)."""

    code = forms.CharField(max_length=32, strip=True)

    def __init__(self, *args: Any, recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.error_messages["required"] = _("Type the code.")
        if recovery:
            field.label = _("Recovery code")
            field.help_text = _("One of the ten codes you saved when you set up two-step sign-in, e.g. ABCDE-FGH23. "
                                "Each code works once.")
            field.widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
        else:
            field.label = _("Code from your authenticator app")
            field.help_text = _("The 6 digits the app shows now for motcua.")
            field.widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric",
                                       "pattern": "[0-9 ]*", "maxlength": "8"})


class RemoveKeyForm(forms.Form):
    """Removing a security key: which one, and the password given again."""

    key = forms.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Your password, to confirm")
        self.fields["password"].error_messages["required"] = _("Type your password.")
