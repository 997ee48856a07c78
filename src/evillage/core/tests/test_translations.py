"""Every page must be fully translated: no catalogue entry may be left empty or fuzzy."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

LANGUAGES = ("zh_Hans", "id")


def catalogue(language: str):
    path = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po_file:
        return read_po(po_file)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    untranslated = [
        message.id
        for message in catalogue(language)
        if message.id
        and (
            message.fuzzy
            or not (message.string if isinstance(message.string, str) else all(message.string))
        )
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    """A translation that drops %(name)s would crash or lie at run time."""
    placeholder = re.compile(r"%\(\w+\)[-.\d]*[sdrf]")
    for message in catalogue(language):
        if not message.id or not isinstance(message.id, str):
            continue
        assert sorted(placeholder.findall(message.id)) == sorted(
            placeholder.findall(message.string)
        ), message.id


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("zh-CN", "搜索"), ("id-ID", "Cari"), ("en", "Search")],
)
def test_pages_speak_the_browsers_language(client, accept_language, expected):
    call_command("compile_translations", verbosity=0)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert f">{expected}</button>" in response.content.decode()
