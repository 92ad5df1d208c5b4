"""The ranking export writes what candidates typed as text: a name that is a formula stays a
name (OWASP CSV injection)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import load_workbook

from accounts.models import Organisation
from certification import services

from .conftest import position

NAME = '=HYPERLINK("http://evil.example/","点击")'
NAME_EN = "@SUM(1+1)*cmd|' /C calc'!A0"
EMPLOYER = "-2+3+cmd|' /C calc'!A0"


def test_a_formula_typed_as_a_name_is_exported_as_text(client, coordinator_factory, cert_admin):
    applicant = coordinator_factory(score="90.00", name_zh=NAME, name_en=NAME_EN,
                                    organisation=Organisation.objects.create(name=EMPLOYER))
    services.reviewer_application_submit(
        applicant=applicant, attested=True, reviews=[],
        positions=[position("甲公司", start=dt.date(2016, 1, 1), level=3)])
    client.force_login(cert_admin)

    response = client.get("/credentials/staff/candidates/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="reviewer-candidates-')
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    row = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))
    assert [c.value for c in row[1:5]] == [NAME, NAME_EN, applicant.email, EMPLOYER]
    assert all(c.data_type == "s" for c in row[1:5])
    assert row[0].value == 1 and row[0].data_type == "n"  # the rank is still a number
