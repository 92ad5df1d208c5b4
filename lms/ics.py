"""An iCalendar file for a cohort: one event per course day (RFC 5545)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Cohort


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets (continuation lines start with a space)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 74:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def cohort_ics(cohort: Cohort) -> str:
    url = settings.SITE_URL.rstrip("/") + reverse("lms:cohort_detail", args=[cohort.code])
    location = cohort.venue or cohort.online_url
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CCSO Academy//Training//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for number, day in enumerate(cohort.days, start=1):
        start = timezone.make_aware(datetime.datetime.combine(day, cohort.starts_at_time))
        end = timezone.make_aware(datetime.datetime.combine(day, cohort.ends_at_time))
        lines += [
            "BEGIN:VEVENT",
            f"UID:cohort-{cohort.pk}-day-{number}@ccso-academy",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(start)}",
            f"DTEND:{_utc(end)}",
            f"SUMMARY:{_escape(f'{cohort.course.title} · {cohort.title} ({number}/3)')}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(url)}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
