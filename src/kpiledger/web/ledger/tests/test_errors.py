"""Error pages are the site's own, bilingual, with a way back; odd query values are 404s."""

import pytest

from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/org/999999/2023/", "/org/012068/1999/", "/org/012068/kpi/99999/",
     "/org/012068/kpi/1/?year=abc", "/org/012068/kpi/1/?year=²", "/nothing-here/"],
)  # fmt: skip
def test_not_found_pages(client, url):
    f.import_reference()
    response = client.get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body and 'href="/"' in body
    english = client.get("/en" + url).content.decode()
    assert "Page not found" in english


def test_server_error_page_is_bilingual_and_self_contained(monkeypatch):
    response = f.server_error_response(monkeypatch)
    assert response.status_code == 500
    body = response.content.decode()
    assert "エラーが発生しました" in body and "Server error" in body and "http" not in body


def test_nearly_threshold_is_a_setting(client, settings):
    from decimal import Decimal

    from kpiledger.web.ledger import models as m

    f.import_reference()
    row_id = m.Kpi.objects.get(indicator="釧路市ビジネスサポートセンターk-Bizの来所相談件数").id

    def row(body: str) -> str:
        start = body.index(f'id="kpi-{row_id}"')
        return body[start : body.index("</tr>", start)]

    assert "概ね達成" in row(client.get("/org/012068/2023/").content.decode())
    settings.KPILEDGER_NEARLY = Decimal(90)
    body = client.get("/org/012068/2023/").content.decode()
    assert "81.7%" in row(body) and "未達成" in row(body) and "概ね達成" not in row(body)
    assert "概ね達成：達成率90%以上" in body
