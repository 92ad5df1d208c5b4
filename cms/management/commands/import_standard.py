"""Load or update a whole standard version from a YAML or Excel file (docs/standard-import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cms.services import StandardImportError, standard_import_file


class Command(BaseCommand):
    help = "Import a standard (YAML or .xlsx) into the site; safe to repeat, all-or-nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .yaml/.yml or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="report, save nothing")
        parser.add_argument(
            "--prune", action="store_true", help="remove items that are not in the file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            report = standard_import_file(
                name=path.name, content=path.read_bytes(), dry_run=options["dry_run"],
                prune=options["prune"],
            )
        except StandardImportError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  - {m}" for m in error.messages)
            ) from error
        for line in report.lines():
            self.stdout.write(line)
