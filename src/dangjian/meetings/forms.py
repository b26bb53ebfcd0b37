"""Forms of the meetings pages: they parse input only; the rules are the services', whose field errors
are put back on the matching field (``ui.forms.add_domain_errors``). Roll-call and election rows are
read from the POST by the views (one row per member of the roll)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.meetings.choices import ElectionsPerm, MeetingsPerm
from dangjian.meetings.services.elections import COMMITTEE_POSITIONS
from dangjian.meetings.services.series import SERIES_INTERVALS
from dangjian.orgs.choices import OrgType, Position
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm, DateInput
from dangjian.ui.pickers import PickerInput

__all__ = [
    "SERVICE_FIELD_MAP",
    "ApproveForm",
    "CalendarForm",
    "CancelForm",
    "CheckinForm",
    "ComplianceForm",
    "ElectionForm",
    "ElectionsFilterForm",
    "FollowUpForm",
    "GenerateForm",
    "MeetingEditForm",
    "MeetingForm",
    "MinutesForm",
    "PostponeForm",
    "RecordForm",
    "SeriesForm",
    "UploadForm",
]

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# organisations that hold meetings of their own (a party group's meeting is recorded by its branch)
MEETING_ORG_TYPES = (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH)
# service field → form field, where the names differ
SERVICE_FIELD_MAP = {"kind": "kind", "org": "org", "party_group": "party_group", "file": "file", "owner": "owner"}


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type=datetime-local>``: the phone's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _dt_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=DateTimeLocalInput, input_formats=[DATETIME_FORMAT,
                                                                                       "%Y-%m-%d %H:%M"])


def _url_input() -> forms.TextInput:
    # text, not type=url: the service's message is clearer than the browser's, and novalidate forms keep it
    return forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "placeholder": "https://"})


class MeetingForm(BootstrapForm):
    """The phone-first form: plan a meeting, or record one that took place with its roll call."""

    org = OrgPickerField(label=_("党组织"), perm=MeetingsPerm.CHANGE, types=MEETING_ORG_TYPES, active=True,
                         help_text="")
    kind = forms.ChoiceField(label=_("会议类型"), choices=())
    party_group = forms.ChoiceField(label=_("党小组"), choices=(), required=False)
    topic = forms.CharField(label=_("主题"), max_length=200,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "done"}))
    starts_at = _dt_field(_("开始"))
    ends_at = _dt_field(_("结束"))
    held = forms.BooleanField(label=_("已召开，登记出勤"), required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_url = forms.CharField(label=_("线上会议链接"), max_length=500, required=False, widget=_url_input())
    agenda = forms.CharField(label=_("议程（每行一项）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, orgs=None, kinds=(), groups=(), refresh_url: str = "", chosen: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.name) for k in kinds]
        self.fields["party_group"].choices = [("", "—"), *[(g.code, g.name) for g in groups]]
        if orgs is not None:  # a few orgs: a list to tap; many: the picker (search by name)
            blank = [] if chosen else [("", _("请选择党组织"))]
            self.fields["org"].widget = forms.Select(choices=[*blank, *[(o.code, o.name) for o in orgs]],
                                                     attrs={"class": "form-select"})
        if refresh_url:
            # changing the org, kind or group reloads the form (and its roll) with what was typed so far; the
            # picker reloads once an org is chosen from its list, not on each keystroke
            for name in ("org", "kind", "party_group"):
                self.fields[name].widget.attrs.update({
                    "hx-get": refresh_url, "hx-target": "#meeting-form", "hx-select": "#meeting-form",
                    "hx-swap": "outerHTML", "hx-include": "closest form"})
            if isinstance(self.fields["org"].widget, PickerInput):
                self.fields["org"].widget.attrs["hx-trigger"] = "picker:chosen"


class MeetingEditForm(BootstrapForm):
    topic = forms.CharField(label=_("主题"), max_length=200)
    starts_at = _dt_field(_("开始"))
    ends_at = _dt_field(_("结束"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_url = forms.CharField(label=_("线上会议链接"), max_length=500, required=False, widget=_url_input())
    agenda = forms.CharField(label=_("议程（每行一项）"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class RecordForm(BootstrapForm):
    starts_at = _dt_field(_("开始"))
    ends_at = _dt_field(_("结束"))
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class CancelForm(BootstrapForm):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class MinutesForm(BootstrapForm):
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 8}))


class UploadForm(BootstrapForm):
    file = forms.FileField(label=_("附件"), allow_empty_file=True)


class FollowUpForm(BootstrapForm):
    title = forms.CharField(label=_("事项"), max_length=200)
    owner = forms.ChoiceField(label=_("责任人"), choices=())
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(m.pk, m.name) for m in owners]


class CheckinForm(BootstrapForm):
    code = forms.CharField(label=_("签到码"), max_length=12, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*", "class": "checkin-code"}))


class SeriesForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), perm=MeetingsPerm.CHANGE, types=MEETING_ORG_TYPES, active=True)
    kind = forms.ChoiceField(label=_("会议类型"), choices=())
    party_group = forms.CharField(label=_("党小组代码（党小组会）"), max_length=40, required=False)
    topic = forms.CharField(label=_("主题"), max_length=200)
    day_of_month = forms.IntegerField(label=_("每月几日"), min_value=1, max_value=31)
    interval_months = forms.TypedChoiceField(label=_("间隔"), coerce=int, initial=1, choices=[
        (n, _("每 %(n)s 个月") % {"n": n}) for n in SERIES_INTERVALS])
    start_time = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), initial=90)
    starts_on = forms.DateField(label=_("起始日期"), widget=DateInput)
    until = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_url = forms.CharField(label=_("线上会议链接"), max_length=500, required=False, widget=_url_input())

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.name) for k in kinds]


class GenerateForm(BootstrapForm):
    count = forms.IntegerField(label=_("生成今后几次"), initial=3)


class CalendarForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=MeetingsPerm.VIEW, help_text="")
    month = forms.CharField(label=_("月份"), max_length=7, required=False,
                            widget=forms.TextInput(attrs={"type": "month"}))


class ComplianceForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=MeetingsPerm.VIEW, help_text="")
    period = forms.CharField(label=_("期间（YYYY-MM / YYYY-Qn / YYYY）"), max_length=7, required=False)


class ElectionsFilterForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=ElectionsPerm.VIEW, help_text="")


class ElectionForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), perm=ElectionsPerm.CHANGE, types=MEETING_ORG_TYPES, active=True)
    held_on = forms.DateField(label=_("选举日期"), widget=DateInput)
    attending = forms.IntegerField(label=_("实到有选举权党员"), min_value=0)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


POSITION_CHOICES = [("", _("委员")), *[(p, Position(p).label) for p in COMMITTEE_POSITIONS if p != Position.MEMBER]]


class ApproveForm(BootstrapForm):
    approved_by = forms.CharField(label=_("批准的上级组织（代码）"), max_length=40)
    approved_on = forms.DateField(label=_("批准日期"), widget=DateInput)
    approval_doc = forms.CharField(label=_("批准文号"), max_length=100)


class PostponeForm(BootstrapForm):
    until = forms.DateField(label=_("延期至"), widget=DateInput)
    approved_by = forms.CharField(label=_("批准的上级组织（代码）"), max_length=40)
    approved_on = forms.DateField(label=_("批准日期"), widget=DateInput)
    approval_doc = forms.CharField(label=_("批准文号"), max_length=100)
    reason = forms.CharField(label=_("延期原因"), max_length=200, required=False)
