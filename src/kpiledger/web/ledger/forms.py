from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.orgcode import normalize_code
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.services import importing

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ASK_FOR_NAME = ("「団体名」欄に団体名を入力してください", "enter the organization's name")


# Every message of the form in Japanese, then English, like the problems of a file shown beside
# it (Django's own are in the page's language only).
REQUIRED = "入力してください / this field is required"
FILE_MESSAGES = {
    "required": "報告書ファイルを選んでください / choose a report file",
    "empty": "ファイルが空です（0バイト）。保存し直したファイルを選んでください"
    " / the file is empty (0 bytes): choose the saved file again",
    "invalid": "ファイルを受け取れませんでした。もう一度選んでください"
    " / the file did not arrive: choose it again",
    "missing": "ファイルが送られていません / no file was sent",
}


class ImportUploadForm(forms.Form):
    org_code = forms.CharField(
        label=_("全国地方公共団体コード（6桁）"),
        error_messages={
            "required": REQUIRED,
            "max_length": "12文字以内で入力してください / at most 12 characters",
        },
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    org_name = forms.CharField(
        label=_("団体名（省略時は地方公共団体コード表の名称）"),
        max_length=100,
        required=False,
        error_messages={"max_length": "100文字以内で入力してください / at most 100 characters"},
    )
    file = forms.FileField(
        label=_("報告書ファイル（Excel・CSV・タブ区切りテキスト・PDF）"),
        error_messages=FILE_MESSAGES,
    )
    sheet = forms.CharField(
        label=_("シート名（Excelで、KPI表が最初のシートにないとき）"),
        max_length=100,
        required=False,
        error_messages={"max_length": "100文字以内で入力してください / at most 100 characters"},
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        """`user`: who uploads (None: nobody, every organization code is refused)."""
        super().__init__(*args, **kwargs)
        self.user = user
        mine = policy.organizations_for(user, Action.IMPORT_PREPARE)
        if not self.is_bound and len(codes := list(mine.values_list("code", flat=True)[:2])) == 1:
            self.initial.setdefault("org_code", codes[0])  # the only organization of the user

    def clean_org_code(self) -> str:
        try:
            code = normalize_code(self.cleaned_data["org_code"])
        except KpiledgerError as error:
            raise _invalid(error) from None
        organization = m.Organization.objects.filter(code=code).first()
        if organization is None and not policy.allowed(self.user, Action.IMPORT_PREPARE, None):
            raise ValidationError(
                f"団体コード {code} の団体はまだ台帳にありません。新しい団体の取込は管理者"
                "（スーパーユーザー）だけができます"
                f" / organization {code} is not in the ledger yet: only a superuser may import"
                " a new organization"
            )
        if organization is not None and not policy.allowed(
            self.user, Action.IMPORT_PREPARE, organization
        ):
            raise ValidationError(
                f"{organization} の取込を準備する権限がありません（あなたの団体のコードを"
                f"入力してください） / you may not prepare an import for {organization.code}:"
                " enter the code of your own organization"
            )
        return code

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                "ファイルが大きすぎます（10MBまで） / the file is too large (at most 10 MB)"
            )
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
