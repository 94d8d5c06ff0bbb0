from django import forms
from django.contrib.auth import get_user_model

from clients.models import Client
from core.models import Practice
from jobs.models import Job
from jobs.selectors import COMPLETED_NOT_INVOICED, DUE_WINDOWS
from jobs.services import JOB_FIELDS


def _practice_users(practice: Practice):
    return get_user_model().objects.filter(membership__practice=practice).order_by("first_name", "last_name")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class JobForm(forms.ModelForm):
    assignee = UserChoiceField(queryset=None, required=False, empty_label="Unassigned")

    class Meta:
        model = Job
        fields = JOB_FIELDS
        widgets = {
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "fee": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _practice_users(practice)


class NewJobForm(JobForm):
    """Creating a job from the jobs list also asks which client it is for."""

    client = forms.ModelChoiceField(queryset=None)

    class Meta(JobForm.Meta):
        fields = ("client", *JOB_FIELDS)

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, practice=practice, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(practice=practice).order_by("name")
        self.order_fields(["client", *JOB_FIELDS])


class JobFilterForm(forms.Form):
    q = forms.CharField(
        required=False, label="Client", widget=forms.SearchInput(attrs={"placeholder": "Client name"})
    )
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            ("open", "Open (not completed)"),
            *Job.Status.choices,
            (COMPLETED_NOT_INVOICED, "Completed, not invoiced"),
        ],
    )
    job_type = forms.ChoiceField(
        required=False, label="Type", choices=[("", "Any type"), *Job.JobType.choices]
    )
    assignee = UserChoiceField(queryset=None, required=False, empty_label="Anyone")
    due = forms.ChoiceField(required=False, label="Due", choices=[("", "Any time"), *DUE_WINDOWS.items()])

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _practice_users(practice)
