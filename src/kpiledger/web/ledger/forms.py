from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.orgcode import normalize_code

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportUploadForm(forms.Form):
    org_code = forms.CharField(
        label=_("全国地方公共団体コード（6桁）"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    org_name = forms.CharField(
        label=_("団体名（新規の団体のとき）"), max_length=100, required=False
    )
    file = forms.FileField(label=_("報告書ファイル（.txt / .tsv）"))

    def clean_org_code(self) -> str:
        try:
            return normalize_code(self.cleaned_data["org_code"])
        except KpiledgerError as error:
            p = error.problems[0]
            raise ValidationError(f"{p.message_ja} / {p.message_en}") from None

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("ファイルが大きすぎます（10MBまで）"))
        return upload
