from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from certification.models import CentreType
from cms.models import StandardItem, StandardVersionPage
from core.validators import import_file_validators

from .models import Channel, Industry, MemberRole, OrganisationSite, ReviewProject, Verdict
from .services import ApplicationData


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why you decline"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class OrganisationRegisterForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, min_length=18,
        help_text=_("The 18 characters on the business licence."))


class ProfileForm(forms.Form):
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    centre_type = forms.ChoiceField(label=_("Centre type"), choices=CentreType.choices)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=1_000_000)
    channels = forms.MultipleChoiceField(label=_("Channels"), choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple)


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Site name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=1_000_000)


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email (of their account)"))
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices,
                             initial=MemberRole.MEMBER)


class ApplicationForm(forms.Form):
    standard_version = forms.ModelChoiceField(label=_("Standard version"),
                                              queryset=StandardVersionPage.objects.none())
    sites = forms.ModelMultipleChoiceField(
        label=_("Scope: the sites reviewed"), queryset=OrganisationSite.objects.none(),
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("At least one, to submit."))
    coordinators = forms.CharField(
        label=_("Registered coordinators who prepared it"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: their email or credential number."))
    consulting_firm = forms.CharField(
        label=_("Consulting firm that prepared it"), required=False, max_length=200,
        help_text=_("Its name or credit code, as registered on the platform; leave empty if "
                    "none."))
    declared_true = forms.BooleanField(
        label=_("I declare that this application is true and complete."), required=False,
        help_text=_("Required to submit."))

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from . import selectors

        version_field = self.fields["standard_version"]
        assert isinstance(version_field, forms.ModelChoiceField)
        version_field.queryset = selectors.published_standard_versions()
        sites_field = self.fields["sites"]
        assert isinstance(sites_field, forms.ModelMultipleChoiceField)
        sites_field.queryset = selectors.organisation_sites(organisation_id)

    @classmethod
    def initial_for(cls, project: ReviewProject) -> dict[str, Any]:
        return {
            "standard_version": project.standard_version_id,
            "sites": [site.pk for site in project.sites.all()],
            "coordinators": "\n".join(user.email for user in project.coordinators.all()),
            "consulting_firm": project.consulting_firm.name if project.consulting_firm else "",
            "declared_true": project.declared_true,
        }

    def application_data(self) -> ApplicationData:
        data = self.cleaned_data
        version = data.get("standard_version")
        return ApplicationData(
            standard_version_id=version.pk if version is not None else None,
            site_ids=[site.pk for site in data.get("sites") or []],
            coordinators=[line for line in (data.get("coordinators") or "").splitlines()
                          if line.strip()],
            consulting_firm=data.get("consulting_firm") or "",
            declared_true=bool(data.get("declared_true")),
        )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("What the applicant must correct"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
class EvidenceFileForm(forms.Form):
    """A new version of an evidence file; the service checks the content."""

    file = forms.FileField(label=_("File (PDF, PNG or JPEG)"),
                           widget=forms.ClearableFileInput(
                               attrs={"accept": "application/pdf,image/png,image/jpeg"}))


class EvidenceUploadForm(EvidenceFileForm):
    kind = forms.ChoiceField(label=_("Kind of evidence"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("What the file is; the file name by default."))

    field_order = ["kind", "title", "file"]

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kinds


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title}"


class EvidenceRequestForm(forms.Form):
    items = ItemsField(label=_("Items that need more evidence"),
                       queryset=StandardItem.objects.none(), widget=forms.CheckboxSelectMultiple)
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(label=_("What is asked for"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, items: QuerySet[StandardItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items_field = self.fields["items"]
        assert isinstance(items_field, ItemsField)
        items_field.queryset = items
class AgreementForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=100,
                                help_text=_("As in your profile: your signature."))
    no_conflict = forms.BooleanField(
        label=_("I declare that I have no conflict of interest with the applicant organisation "
                "or its group, partners or consultants, and will tell the certification admins "
                "at once if one arises."),
        required=True)


class JudgementForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Judgement"), choices=Verdict.choices,
                                widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Required for 符合 as for 不符合: what you saw."))


class DecisionForm(forms.Form):
    accepts = forms.TypedChoiceField(
        label=_("The team's recommendation"), widget=forms.RadioSelect,
        choices=[("yes", _("Accept it")), ("no", _("Do not accept it"))],
        coerce=lambda value: value == "yes")
    reason = forms.CharField(label=_("Reason"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class KpiParametersForm(forms.Form):
    """The stated parameters of the 12 months and the first of them (the page's form)."""

    first_month = forms.CharField(
        label=_("First month"), max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
        help_text=_("The 12 months follow it, one after another."))
    service_level_seconds = forms.IntegerField(
        label=_("Service-level threshold Y (seconds)"), min_value=1, max_value=600, initial=20)
    short_abandon_seconds = forms.IntegerField(
        label=_("Short-abandon threshold (seconds)"), min_value=0, max_value=120, initial=5)
    fcr_window_days = forms.IntegerField(label=_("FCR window (days)"), min_value=1,
                                         max_value=90, initial=7)

    def clean_first_month(self) -> Any:
        from .kpi_data import month_parse

        month = month_parse(self.cleaned_data["first_month"])
        if month is None:
            raise forms.ValidationError(_("Write the month as 2026-01."))
        return month


class KpiWorkbookForm(forms.Form):
    file = forms.FileField(label=_("Filled template (.xlsx)"),
                           validators=import_file_validators("xlsx"))


class KpiSourceForm(forms.Form):
    file = forms.FileField(label=_("Records (.xlsx or .csv)"),
                           validators=import_file_validators("xlsx", "csv"))




# --- Reviewers' fees and the KPI benchmark (issue 14)
class PeriodForm(forms.Form):
    """A statement's period: the work ended from `start` to `end`, both included."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > 366:
                raise forms.ValidationError(_("A statement covers at most a year."))
        return data


class FeeForm(forms.Form):
    work_ended_on = forms.DateField(
        label=_("Work ended on"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day of document review or on site: the statement period it is "
                    "in."))
    document_days = forms.DecimalField(label=_("Document-review days"), min_value=0,
                                       max_value=60, decimal_places=1, max_digits=4,
                                       widget=forms.NumberInput(attrs={"step": "0.5"}))
    onsite_days = forms.DecimalField(label=_("On-site days"), min_value=0, max_value=60,
                                     decimal_places=1, max_digits=4,
                                     widget=forms.NumberInput(attrs={"step": "0.5"}))
    travel_amount = forms.DecimalField(label=_("Travel costs (CNY)"), min_value=0,
                                       decimal_places=2, max_digits=10, initial=0)
    travel_note = forms.CharField(label=_("Travel costs: what for"), max_length=300,
                                  required=False)


class BenchmarkConsentForm(forms.Form):
    named = forms.BooleanField(
        label=_("Our organisation may be named in the KPI benchmark"), required=False,
        help_text=_("Without this, your figures still count in your industry's benchmark, "
                    "anonymously."))




# --------------------------------------------------------------------------- spot-checks


class SpotCheckCompleteForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("What the spot-check found, for the record."))


class SanctionForm(forms.Form):
    action = forms.ChoiceField(label=_("Sanction"), widget=forms.RadioSelect, choices=[
        ("warn", _("Warn (the credential stays active)")),
        ("suspend", _("Suspend the reviewer credential")),
        ("withdraw", _("Withdraw the reviewer credential (final)")),
    ])
    findings = forms.TypedMultipleChoiceField(label=_("Findings it rests on"), coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("The reviewer reads it, and may appeal."))
    reason_public = forms.BooleanField(label=_("Show the reason on public verification"),
                                       required=False)

    def __init__(self, *args: Any, findings: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["findings"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (f.pk, f"{f.judgement.review.project.organisation.name} · {f.judgement.item.code} · "
                   f"{f.reason}") for f in findings]


class SanctionAppealForm(forms.Form):
    reason = forms.CharField(label=_("Why you appeal"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 5}))


class AppealResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("The appeal"), widget=forms.RadioSelect,
        choices=[("yes", _("Uphold it: reverse the sanction")),
                 ("no", _("Reject it: the sanction stays"))],
        coerce=lambda value: value == "yes")
    resolution = forms.CharField(label=_("Reason"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
