from django.conf import settings
from django.db import models

from core.validators import validate_single_line


class Practice(models.Model):
    """The accountancy firm: the tenant every domain row belongs to."""

    # One line: it heads emails (the deadline digest's subject) and every page.
    name = models.CharField(max_length=200, validators=[validate_single_line])
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.practice})"

    @property
    def can_manage(self) -> bool:
        """Owners and admins manage integrations, users and billing."""
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class AddOn(models.Model):
    """A monthly charge on the practice's bill (e.g. the flat Xero integration fee)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="add_ons")
    code = models.SlugField(max_length=50)
    description = models.CharField(max_length=200)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "code"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_add_on_per_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} (£{self.monthly_price}/month)"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
