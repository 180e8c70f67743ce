"""The staff upload form's own messages are Japanese first, then English, like the problems of
a file shown beside them (issue 7: the empty-file message was Japanese only)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpiledger.web.ledger import forms
from kpiledger.web.ledger.forms import ImportUploadForm

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z()0-9]+){2,}")


def errors(data: dict, files: dict | None = None) -> dict[str, list[str]]:
    form = ImportUploadForm(data, files or {})
    assert not form.is_valid()
    return {field: list(messages) for field, messages in form.errors.items()}


def assert_bilingual(message: str) -> None:
    ja, _, en = message.partition(" / ")
    assert JAPANESE.search(ja) and en and ENGLISH.search(en), message


@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_empty_file_is_named_in_both_languages(settings, language):
    from django.utils import translation

    with translation.override(language):
        found = errors({"org_code": "012068"}, {"file": SimpleUploadedFile("r.txt", b"")})
    assert found["file"] == [forms.FILE_MESSAGES["empty"]]
    assert "空です" in found["file"][0] and "empty" in found["file"][0]
    assert_bilingual(found["file"][0])


def test_missing_fields_are_named_in_both_languages():
    found = errors({})
    assert found["org_code"] == [forms.REQUIRED]
    assert found["file"] == [forms.FILE_MESSAGES["required"]]
    for messages in found.values():
        for message in messages:
            assert_bilingual(message)


def test_too_long_and_too_large_in_both_languages(monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 10)
    found = errors(
        {"org_code": "0" * 13, "org_name": "名" * 101},
        {"file": SimpleUploadedFile("r.txt", b"x" * 11)},
    )
    assert "12文字以内" in found["org_code"][0]
    assert "100文字以内" in found["org_name"][0]
    assert "大きすぎます" in found["file"][0] and "too large" in found["file"][0]
    for messages in found.values():
        for message in messages:
            assert_bilingual(message)
