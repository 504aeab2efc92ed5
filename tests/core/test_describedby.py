"""Every ``aria-describedby`` names an element of the page: Django 5 links a field with help text to
``<id>_helptext`` (and, when invalid, to ``<id>_error``), so the field templates must give the help and the
error paragraphs those ids, or a screen reader reads nothing (WCAG 2.1, 1.3.1 and 3.3.2)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string


def dangling_describedby(html: str) -> set[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    named = {name for value in re.findall(r'aria-describedby="([^"]*)"', html) for name in value.split()}
    return named - ids


class _EveryWidget(forms.Form):
    text = forms.CharField(label="Text", help_text="Help for the text.")
    number = forms.IntegerField(label="Number", help_text="Help for the number.")
    pick = forms.ChoiceField(label="Pick", choices=[("a", "A"), ("b", "B")], help_text="Help for the select.")
    radio = forms.ChoiceField(label="Radio", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect,
                              help_text="Help for the radios.")
    ticks = forms.MultipleChoiceField(label="Ticks", choices=[("a", "A")], widget=forms.CheckboxSelectMultiple,
                                      help_text="Help for the ticks.")
    when = forms.DateField(label="When", widget=forms.DateInput(attrs={"type": "date"}), help_text="A date.")


@pytest.mark.parametrize("template", ["includes/field.html", "portal/_field.html", "dossiers/_choice.html"])
@pytest.mark.parametrize("bound", [False, True], ids=["empty", "invalid"])
def test_the_field_templates_give_the_ids_that_aria_describedby_names(template, bound):
    form = _EveryWidget({"number": "x"} if bound else None)
    # dossiers/_choice.html is the radio list of the desk's forms.
    fields = [form["radio"]] if template == "dossiers/_choice.html" else list(form)
    html = "".join(render_to_string(template, {"field": field}) for field in fields)
    assert "aria-describedby" in html
    assert dangling_describedby(html) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/tra-cuu", "/dang-ky/", "/thu-tuc/", "/tai-khoan/dang-nhap/"])
def test_public_form_pages_have_no_dangling_aria_describedby(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert dangling_describedby(response.content.decode()) == set()


@pytest.mark.django_db
def test_invalid_registration_has_no_dangling_aria_describedby(client):
    html = client.post("/dang-ky/", {"phone": "x", "password": "short"}).content.decode()
    assert "aria-invalid" in html
    assert dangling_describedby(html) == set()
