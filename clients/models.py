from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from core.models import Practice
from core.validators import (
    validate_company_number,
    validate_ni_number,
    validate_utr,
    validate_vat_number,
)


class Client(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        INDIVIDUAL = "individual", "Individual"

    class CompanyType(models.TextChoices):
        LIMITED = "limited", "Limited company"
        LLP = "llp", "LLP"
        PARTNERSHIP = "partnership", "Partnership"
        SOLE_TRADER = "sole_trader", "Sole-trader business"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Companies: the registered name. Individuals: "First Last", derived by the services
    # (clients.services.individual_name), so one indexed column serves search and sorting for both.
    name = models.CharField(max_length=200, blank=True)
    company_type = models.CharField(max_length=20, choices=CompanyType.choices, blank=True)
    company_number = models.CharField(
        max_length=8, blank=True, validators=[validate_company_number], help_text="e.g. 01234567 or SC123456"
    )
    vat_number = models.CharField(
        "VAT number",
        max_length=14,
        blank=True,
        validators=[validate_vat_number],
        help_text="e.g. GB123456789",
    )
    utr = models.CharField("UTR", max_length=10, blank=True, validators=[validate_utr])
    registered_address = models.TextField(blank=True)
    year_end = models.DateField(null=True, blank=True, help_text="Accounting reference date")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    ni_number = models.CharField("NI number", max_length=9, blank=True, validators=[validate_ni_number])
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(Lower("name"), "practice", name="client_practice_lower_name"),
            # The client list's sorts, each with its tie-breaker (pk): a page is read in index order,
            # not by sorting every client of the practice.
            models.Index(fields=["practice", "name", "id"], name="client_list_name_order"),
            models.Index(fields=["practice", "kind", "id"], name="client_list_kind_order"),
            models.Index(fields=["practice", "-kind", "id"], name="client_list_kind_desc_order"),
            models.Index(fields=["practice", "created_at", "id"], name="client_list_created_order"),
            models.Index(fields=["practice", "company_number", "id"], name="client_list_company_no_order"),
            models.Index(fields=["practice", "kind", "name"]),
            models.Index(fields=["practice", "email"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.COMPANY

    def clean(self):
        errors = {}
        if self.is_company:
            if not self.name.strip():
                errors["name"] = "Enter the company's name."
            if not self.company_type:
                errors["company_type"] = "Choose the type of business."
            if (
                self.company_type in (self.CompanyType.LIMITED, self.CompanyType.LLP)
                and not self.company_number
            ):
                errors["company_number"] = "Limited companies and LLPs need a company number."
        else:
            if not self.first_name.strip():
                errors["first_name"] = "Enter a first name."
            if not self.last_name.strip():
                errors["last_name"] = "Enter a last name."
        if errors:
            raise ValidationError(errors)


class Officer(models.Model):
    """An individual attached to a company client (director, secretary, contact…)."""

    class Role(models.TextChoices):
        DIRECTOR = "director", "Director"
        SECRETARY = "secretary", "Secretary"
        SHAREHOLDER = "shareholder", "Shareholder"
        PARTNER = "partner", "Partner"
        CONTACT = "contact", "Contact"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="officers")
    person = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="appointments")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DIRECTOR)

    class Meta:
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "person", "role"], name="unique_officer_role"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} of {self.company}"
