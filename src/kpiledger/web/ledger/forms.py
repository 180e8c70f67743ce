from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.orgcode import normalize_code
from kpiledger.web.ledger.services import importing

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ASK_FOR_NAME = ("「団体名」欄に団体名を入力してください", "enter the organization's name")


class ImportUploadForm(forms.Form):
    org_code = forms.CharField(
        label=_("全国地方公共団体コード（6桁）"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    org_name = forms.CharField(
        label=_("団体名（省略時は地方公共団体コード表の名称）"), max_length=100, required=False
    )
    file = forms.FileField(label=_("報告書ファイル（.txt / .tsv）"))

    def clean_org_code(self) -> str:
        try:
            return normalize_code(self.cleaned_data["org_code"])
        except KpiledgerError as error:
            raise _invalid(error) from None

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("ファイルが大きすぎます（10MBまで）"))
        return upload

    def clean(self) -> dict[str, Any]:
        """A new organization without a name must have a code in the table of local
        governments (the name comes from there)."""
        super().clean()
        code, name = self.cleaned_data.get("org_code"), self.cleaned_data.get("org_name")
        if code and not name:
            try:
                importing.organization_for(code, ask=ASK_FOR_NAME)
            except KpiledgerError as error:
                self.add_error("org_name", _invalid(error))
        return self.cleaned_data


def _invalid(error: KpiledgerError) -> ValidationError:
    p = error.problems[0]
    return ValidationError(f"{p.message_ja} / {p.message_en}")
