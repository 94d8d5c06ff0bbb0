"""Jobs → Xero's filters: a GET form; anything unknown or invalid falls back to the default."""

from django import forms

from invoicing.firm_selectors import DEFAULT_SORT, DEFAULT_STATUS, SORTS, STATUS_CHOICES, Filters

LINKED_CHOICES = [("", "Linked or not"), ("yes", "Linked to a job"), ("no", "Not linked to a job")]
SORT_VALUES = {*SORTS, *(f"-{key}" for key in SORTS)}


class XeroInvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    q = forms.CharField(label="Client", max_length=100, required=False)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    linked = forms.ChoiceField(label="Jobs", choices=LINKED_CHOICES, required=False)

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = DEFAULT_STATUS
        super().__init__(data, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Client or contact name"})

    def filters(self) -> Filters:
        """The filters to apply: the valid fields as given, the rest at their defaults."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        sort = self.data.get("sort", DEFAULT_SORT)
        return Filters(
            status=cleaned.get("status") or DEFAULT_STATUS,
            overdue=bool(cleaned.get("overdue")),
            q=(cleaned.get("q") or "").strip(),
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
            linked=cleaned.get("linked") or "",
            sort=sort if sort in SORT_VALUES else DEFAULT_SORT,
        )
