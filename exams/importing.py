"""Question bank import and export as .xlsx or .csv (layout in docs/question-import.md).

Uploads are read through `core.uploads` (size, zip, row, cell and time limits) and run as a
Celery task (`questions_import_start`); exports are written through `core.exports`, which keeps
text as text, and a file exported here imports back unchanged (`cell_unescape`).

Import is all-or-nothing: every row is checked first; any error rejects the whole file with
one message per problem ("row 7: column 'answer' must be ..."); otherwise all rows are written
in one transaction. A row whose code exists gives that question a new version when its content
changed (past attempts keep their version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Any, BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cms.selectors import LocatedItem, items_located
from core.exports import Table, cell_unescape
from core.models import ImportJob
from core.services import import_job_create, import_job_run
from core.uploads import IMPORT_LIMITS, bounded_read, csv_rows, xlsx_open

from .errors import ExamError, ImportRejected
from .models import Question, QuestionKind
from .services import question_item_check, question_save
from .tracing import references_resolve

OPTION_KEYS = ["A", "B", "C", "D", "E", "F"]
COLUMNS = [
    "code", "module", "item_code", "standard_version", "type", "question",
    *[f"option_{k.lower()}" for k in OPTION_KEYS], "answer", "explanation", "active",
]
REQUIRED = {"code", "module", "type", "question", "answer"}
KIND_ALIASES = {
    "single": QuestionKind.SINGLE, "单选": QuestionKind.SINGLE, "单选题": QuestionKind.SINGLE,
    "multiple": QuestionKind.MULTIPLE, "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
    "true_false": QuestionKind.TRUE_FALSE, "判断": QuestionKind.TRUE_FALSE,
    "判断题": QuestionKind.TRUE_FALSE,
}
TRUE_WORDS = {"true", "t", "对", "正确", "是", "√", "a"}
FALSE_WORDS = {"false", "f", "错", "错误", "否", "×", "b"}
TRUE_FALSE_OPTIONS = [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]


@dataclass
class ParsedRow:
    row: int
    fields: dict[str, Any]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_cell(value: str) -> str:
    # Our .csv export writes a risky text as '=…: read it back as =… (a workbook keeps
    # types, so .xlsx cells are taken as they are). Surrounding blanks never count.
    return cell_unescape(value.strip()).strip()


def _unreadable() -> ImportRejected:
    return ImportRejected([_("The file is not a readable .xlsx workbook.")])


def _read_rows(upload: BinaryIO | IO[bytes],
               filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        workbook = xlsx_open(upload, limits=IMPORT_LIMITS, unreadable=_unreadable)
        try:
            raw = [[_cell(v) for v in row] for _number, row in workbook.rows()]
        finally:
            workbook.close()
    elif name.endswith(".csv"):
        try:
            text = bounded_read(upload, limits=IMPORT_LIMITS).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRejected([_("The .csv file is not UTF-8 text: save it as "
                                    "“CSV UTF-8” and upload it again.")]) from error
        raw = [[_csv_cell(v) for v in row]
               for _number, row in csv_rows(text, limits=IMPORT_LIMITS)]
    else:
        raise ImportRejected([_("Upload an .xlsx or .csv file.")])
    if not raw:
        raise ImportRejected([_("The file is empty.")])
    header = [h.lower() for h in raw[0]]
    rows = [(i, r) for i, r in enumerate(raw[1:], start=2) if any(c for c in r)]
    return header, rows


def _parse(header: list[str], number: int, values: list[str],
           errors: list[str]) -> ParsedRow | None:
    data = {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}
    before = len(errors)

    def err(column: str, message: str) -> None:
        errors.append(_("row %(row)d: column '%(column)s' %(message)s")
                      % {"row": number, "column": column, "message": message})

    for column in sorted(REQUIRED):
        if not data.get(column):
            err(column, _("is required"))
    kind = KIND_ALIASES.get(data.get("type", "").lower())
    if data.get("type") and kind is None:
        err("type", _("must be single, multiple or true_false (or 单选, 多选, 判断)"))
    module = data.get("module", "")
    if module and not (module.isdigit() and 1 <= int(module) <= 9):
        err("module", _("must be a number from 1 to 9"))
    options = [
        {"key": k, "text": data.get(f"option_{k.lower()}", "")}
        for k in OPTION_KEYS if data.get(f"option_{k.lower()}", "")
    ]
    answer = data.get("answer", "").replace("，", ",").replace(" ", "")
    keys: list[str] = []
    if kind == QuestionKind.TRUE_FALSE:
        options = TRUE_FALSE_OPTIONS
        if answer.lower() in TRUE_WORDS:
            keys = ["A"]
        elif answer.lower() in FALSE_WORDS:
            keys = ["B"]
        elif answer:
            err("answer", _("must be true or false (对/错) for a true/false question"))
    elif kind is not None:
        if len(options) < 2:
            err("option_a", _("and at least one more option must be filled in"))
        keys = sorted({k for k in answer.upper().replace(",", "") if k.strip()})
        present = {o["key"] for o in options}
        if answer and (not keys or not set(keys) <= present):
            err("answer", _("must list letters of filled-in options, e.g. B or A,C"))
        elif kind == QuestionKind.SINGLE and len(keys) > 1:
            err("answer", _("must be exactly one letter for a single-choice question"))
        elif kind == QuestionKind.MULTIPLE and answer and len(keys) < 2:
            err("answer", _("must list at least two letters for a multiple-choice question"))
    active = data.get("active", "").lower()
    if active and active not in {"1", "0", "yes", "no", "true", "false", "是", "否"}:
        err("active", _("must be yes or no"))
    if len(errors) > before:
        return None
    return ParsedRow(number, {
        "code": data["code"],
        "module_number": int(module),
        "kind": kind,
        "text": data["question"],
        "options": options,
        "correct_keys": keys,
        "explanation": data.get("explanation", ""),
        "item_code": data.get("item_code", ""),
        "standard_version": data.get("standard_version", ""),
        "is_active": active not in {"0", "no", "false", "否"},
    })


def _items_attach(parsed: list[ParsedRow], errors: list[str]) -> None:
    """Turn each row's `item_code` and `standard_version` into the item they name (blank
    version: the current one), noting each row whose reference names no published item or an
    item of another module. A fixed number of queries per version named in the file."""
    found = references_resolve(
        (row.fields["standard_version"], row.fields["item_code"]) for row in parsed)
    for row in parsed:
        key = (row.fields.pop("standard_version").strip(), row.fields.pop("item_code").strip())
        reference = found.get(key)
        row.fields["item"] = reference.item if reference is not None else None
        if reference is None:
            continue
        if reference.item is None:
            errors.append(_("row %(row)d: column '%(column)s' %(message)s")
                          % {"row": row.row, "column": reference.column,
                             "message": reference.cell_message})
            continue
        try:
            question_item_check(item=reference.item, module_number=row.fields["module_number"])
        except ExamError as exc:
            errors.append(_("row %(row)d: %(message)s")
                          % {"row": row.row, "message": "; ".join(exc.messages)})


@dataclass
class ImportSummary:
    rows: int
    created: int
    updated: int
    unchanged: int


def questions_import(*, upload: BinaryIO | IO[bytes], filename: str, actor: Any,
                     progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Check every row, then write them all in one transaction; `progress(done, total)` is
    called as rows are written. Raises ImportRejected (or core's UploadRefused)."""
    header, rows = _read_rows(upload, filename)
    missing = [c for c in sorted(REQUIRED) if c not in header]
    if missing:
        raise ImportRejected([_("row 1: the header lacks the column(s) %(columns)s")
                              % {"columns": ", ".join(missing)}])
    errors: list[str] = []
    parsed = [p for n, values in rows if (p := _parse(header, n, values, errors))]
    seen: dict[str, int] = {}
    for row in parsed:
        code = row.fields["code"]
        if code in seen:
            errors.append(_("row %(row)d: column 'code' repeats %(code)s from row %(first)d")
                          % {"row": row.row, "code": code, "first": seen[code]})
        seen.setdefault(code, row.row)
    if not rows:
        errors.append(_("The file has no question rows."))
    _items_attach(parsed, errors)
    if errors:
        raise ImportRejected(errors)
    existing = set(Question.objects.filter(code__in=seen).values_list("code", flat=True))
    created = updated = unchanged = 0
    with transaction.atomic():
        for done, row in enumerate(parsed, start=1):
            if progress is not None and (done % 25 == 0 or done == len(parsed)):
                progress(done, len(parsed))
            try:
                _question, changed = question_save(actor=actor, **row.fields)
            except ImportRejected:
                raise
            except Exception as exc:  # a domain error on one row rejects the whole file
                raise ImportRejected([_("row %(row)d: %(message)s")
                                      % {"row": row.row, "message": "; ".join(
                                          getattr(exc, "messages", [str(exc)]))}]) from exc
            if row.fields["code"] not in existing:
                created += 1
            elif changed:
                updated += 1
            else:
                unchanged += 1
    return ImportSummary(len(parsed), created, updated, unchanged)


QUESTIONS_IMPORT_KIND = "exams.questions"


def questions_import_start(*, upload: UploadedFile, actor: Any) -> ImportJob:
    """Store the upload and import it in a Celery task; the page follows the returned job."""
    from .tasks import questions_import_run  # the task module imports this one


    return import_job_create(kind=QUESTIONS_IMPORT_KIND, upload=upload, actor=actor,
                             task=questions_import_run)


def questions_import_job_run(*, job_id: int) -> None:
    def work(handle: IO[bytes], options: dict[str, Any],
             progress: Callable[[int, int], None]) -> dict[str, Any]:
        job = ImportJob.objects.select_related("created_by").get(pk=job_id)
        summary = questions_import(upload=handle, filename=job.filename, actor=job.created_by,
                                   progress=progress)
        return asdict(summary)

    import_job_run(job_id=job_id, work=work)


def _item_cells(located: LocatedItem | None) -> list[str]:
    return [located.code, located.version.code] if located is not None else ["", ""]


def questions_export_table() -> Table:
    """The bank in the import layout: numbers as numbers, every text as text."""
    table = Table(title="questions", header=COLUMNS)
    questions = list(
        Question.objects.select_related("current_version").order_by("module_number", "code"))
    items = items_located(ids=[q.item_id for q in questions if q.item_id is not None])
    for q in questions:
        v = q.current_version
        if v is None:
            continue
        texts = {o["key"]: o["text"] for o in v.options}
        if q.kind == QuestionKind.TRUE_FALSE:
            answer = "true" if v.correct_keys == ["A"] else "false"
            option_cells = [""] * len(OPTION_KEYS)
        else:
            answer = ",".join(v.correct_keys)
            option_cells = [texts.get(k, "") for k in OPTION_KEYS]
        table.append([
            q.code, q.module_number, *_item_cells(items.get(q.item_id or 0)), q.kind, v.text,
            *option_cells, answer, v.explanation, "yes" if q.is_active else "no",
        ])
    return table
