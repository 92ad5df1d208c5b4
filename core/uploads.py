"""Bounds every uploaded file is held to before and while a parser reads it.

A small upload can expand into something that occupies a worker for minutes: an .xlsx is a zip
(2.5 MB can hold 764 MB of sheet XML), a sheet can declare a million empty rows, a CSV field can
be megabytes long, a YAML file can multiply itself through aliases. Every importer reads its
file through the readers here, so each limit is enforced in one place and every refusal names
the limit it hit. The numbers are in `UploadLimits` (and docs/question-import.md).

- `xlsx_check` looks only at the zip's central directory (no decompression) and is cheap enough
  to run in the upload form, so a bomb is refused before it is stored or parsed.
- `xlsx_open` / `csv_rows` / `yaml_load` do the check again (every path, including management
  commands, goes through them) and then count rows, cells, cell length and time while reading.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import yaml
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

try:  # libyaml composes in C: fast enough that the size bound also bounds the time
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]


@dataclass(frozen=True)
class UploadLimits:
    """What one import may contain. The 5 MB upload holds ~9,000 questions; the other limits
    sit well above what such a file needs (14 MB unpacked, 2-3 s to read)."""

    max_bytes: int = 5 * 1024 * 1024  # the file as uploaded
    max_unpacked_bytes: int = 50 * 1024 * 1024  # all members of an .xlsx, uncompressed
    max_ratio: int = 100  # uncompressed ÷ compressed, per member (real sheets are 5-30)
    max_members: int = 100  # files inside an .xlsx (a plain workbook has ~10)
    max_rows: int = 20_000  # per sheet, header included
    max_cells: int = 500_000  # in the whole file
    max_cell_chars: int = 10_000  # one cell
    max_seconds: float = 60.0  # reading the file, wall clock
    max_yaml_nodes: int = 200_000  # YAML values with every alias expanded
    max_yaml_depth: int = 50  # YAML collections inside collections


IMPORT_LIMITS = UploadLimits()


class UploadRefused(DomainError):
    """The file exceeds a limit (or is not the format it claims); nothing of it was used."""


def _refuse(message: Any, **params: Any) -> UploadRefused:
    return UploadRefused(message % params if params else message, code="upload_refused")


def _size(value: int) -> str:
    return str(filesizeformat(value))


def _too_large(limits: UploadLimits) -> UploadRefused:
    return _refuse(_("The file is larger than the limit of %(limit)s."),
                   limit=_size(limits.max_bytes))


def bounded_read(content: bytes | IO[bytes], *, limits: UploadLimits = IMPORT_LIMITS) -> bytes:
    """The whole file, refused if it is larger than `limits.max_bytes` (read no further)."""
    if isinstance(content, bytes):
        data = content
    else:
        content.seek(0)
        data = content.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_large(limits)
    return data


# --- xlsx ---------------------------------------------------------------------------------------


def xlsx_check(content: bytes | IO[bytes], *, limits: UploadLimits = IMPORT_LIMITS) -> bool:
    """Refuse a zip whose members are too many, too big or too compressed, reading only the
    central directory. Returns False (without refusing) when the file is not a zip at all, so
    the importer can say in its own words that the workbook is unreadable.

    The sizes in the directory can be trusted as upper bounds: Python's zip reader stops at the
    declared size and fails the CRC, so a member cannot inflate beyond what it declares.
    """
    stream: IO[bytes] = io.BytesIO(content) if isinstance(content, bytes) else content
    if stream.seek(0, io.SEEK_END) > limits.max_bytes:
        raise _too_large(limits)
    stream.seek(0)
    try:
        members = zipfile.ZipFile(stream).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        stream.seek(0)
    if len(members) > limits.max_members:
        raise _refuse(_("The workbook holds %(count)d files; the limit is %(limit)d."),
                      count=len(members), limit=limits.max_members)
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise _refuse(_("The workbook unpacks to %(size)s; the limit is %(limit)s."),
                      size=_size(unpacked), limit=_size(limits.max_unpacked_bytes))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > limits.max_ratio:
            raise _refuse(_("The workbook's part %(name)s is compressed %(ratio)d to 1; the "
                            "limit is %(limit)d to 1."),
                          name=member.filename, ratio=int(ratio), limit=limits.max_ratio)
    return True


class _Budget:
    """Counts cells and watches the clock across everything read from one file."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.cells = 0
        self.deadline = time.monotonic() + limits.max_seconds

    def row(self, where: str, number: int, values: list[Any]) -> None:
        limits = self.limits
        if number > limits.max_rows:
            raise _refuse(_("%(where)s has more than %(limit)d rows."),
                          where=where, limit=limits.max_rows)
        self.cells += len(values)
        if self.cells > limits.max_cells:
            raise _refuse(_("The file has more than %(limit)d cells."), limit=limits.max_cells)
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise _refuse(_("%(where)s, row %(row)d, column %(column)d: the cell holds "
                                "%(length)d characters; the limit is %(limit)d."),
                              where=where, row=number, column=column, length=len(value),
                              limit=limits.max_cell_chars)
        if time.monotonic() > self.deadline:
            raise _refuse(_("Reading the file took longer than the limit of %(limit)d "
                            "seconds."), limit=int(limits.max_seconds))


class BoundedWorkbook:
    """An .xlsx opened read-only whose rows are handed out under the limits."""

    def __init__(self, book: Any, limits: UploadLimits) -> None:
        self._book = book
        self._budget = _Budget(limits)
        self.sheetnames: list[str] = list(book.sheetnames)

    def rows(self, sheet: str | None = None) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cell values) of `sheet` (default: the first), blank rows included."""
        worksheet = self._book[sheet] if sheet is not None else self._book.worksheets[0]
        where = str(_("Sheet %(name)s") % {"name": worksheet.title})
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            values = list(row)
            self._budget.row(where, number, values)
            yield number, values

    def close(self) -> None:
        self._book.close()


def xlsx_open(content: bytes | IO[bytes], *, limits: UploadLimits = IMPORT_LIMITS,
              unreadable: Callable[[], ValidationError]) -> BoundedWorkbook:
    """Check the zip, then open it; `unreadable()` is the importer's own error for a file
    that is not a workbook."""
    from openpyxl import load_workbook

    raw = bounded_read(content, limits=limits)
    if not xlsx_check(raw, limits=limits):
        raise unreadable()
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise unreadable() from error
    return BoundedWorkbook(book, limits)


# --- csv ----------------------------------------------------------------------------------------


def csv_rows(text: str, *, limits: UploadLimits = IMPORT_LIMITS) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of CSV text under the limits. A field longer than the csv module
    allows (131,072 characters) is refused like any other over-long cell, not a 500."""
    budget = _Budget(limits)
    where = str(_("The file"))
    reader = csv.reader(io.StringIO(text))
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise _refuse(_("%(where)s, row %(row)d: a cell is longer than the limit of "
                                "%(limit)d characters."),
                              where=where, row=reader.line_num, limit=limits.max_cell_chars
                              ) from error
            raise _refuse(_("Row %(row)d is not valid CSV: %(problem)s"),
                          row=reader.line_num, problem=str(error)) from error
        number += 1
        budget.row(where, number, values)
        yield number, values


# --- yaml ---------------------------------------------------------------------------------------


def yaml_load(content: bytes | IO[bytes], *, limits: UploadLimits = IMPORT_LIMITS) -> Any:
    """`yaml.safe_load` under the limits. Before anything is built, one pass over the parser's
    events (iterative, so it cannot overflow a stack) bounds the nesting depth (libyaml's
    composer recurses and crashes the process at ~100,000 levels) and the number of values with
    every alias expanded: aliases are shared references in Python, but whatever walks the
    result visits each again ("a billion laughs")."""
    content = bounded_read(content, limits=limits)
    deadline = time.monotonic() + limits.max_seconds
    anchors: dict[str, int] = {}
    open_anchors: list[str | None] = []
    stack = [0]  # expanded values below each open collection
    for seen, event in enumerate(yaml.parse(content, Loader=_YamlLoader)):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) > limits.max_yaml_depth:
                raise _refuse(_("The YAML is nested more than %(limit)d levels deep."),
                              limit=limits.max_yaml_depth)
            stack.append(1)
            open_anchors.append(event.anchor)
        elif isinstance(event, yaml.CollectionEndEvent):
            count = stack.pop()
            anchor = open_anchors.pop()
            if anchor is not None:
                anchors[anchor] = count
            stack[-1] += count
        elif isinstance(event, yaml.ScalarEvent):
            stack[-1] += 1
            if event.anchor is not None:
                anchors[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:  # an alias inside its own anchor: endless
                raise _yaml_too_many(limits)
            stack[-1] += anchors.get(event.anchor or "", 1)  # unknown: the loader reports it
        if stack[-1] > limits.max_yaml_nodes:
            raise _yaml_too_many(limits)
        if seen % 1000 == 0 and time.monotonic() > deadline:
            raise _refuse(_("Reading the file took longer than the limit of %(limit)d "
                            "seconds."), limit=int(limits.max_seconds))
    return yaml.load(content, Loader=_YamlLoader)  # a safe loader: plain data only


def _yaml_too_many(limits: UploadLimits) -> UploadRefused:
    return _refuse(_("The YAML expands to more than %(limit)d values (counting every alias "
                     "in full)."), limit=limits.max_yaml_nodes)
