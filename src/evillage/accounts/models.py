from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField


class Role(models.TextChoices):
    BUYER = "buyer", _("buyer")
    SELLER = "seller", _("seller")
    SUPPLIER = "supplier", _("supplier")
    STATION_AGENT = "station_agent", _("station agent")
    OFFICIAL = "official", _("official")
    OPERATOR = "operator", _("operator")


class User(AbstractUser):
    """A person. Signs in with a phone number (E.164) or an email address.

    `username` is kept for Django admin and is set to the phone or email used
    at registration; the phone and email columns are what people sign in with.
    """

    public_id = PublicIdField()
    phone = models.CharField(_("phone number"), max_length=20, null=True, blank=True, unique=True)
    email = models.EmailField(_("email address"), null=True, blank=True, unique=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    residence = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("village of residence"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__isnull=False) | Q(email__isnull=False) | Q(is_staff=True),
                name="user_has_phone_or_email",
            ),
            # Emails are compared case-insensitively: Li@Example.com is li@example.com.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message=_("A user with that email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        # For the admin and the user's own pages: shows the phone or email. Use
        # public_name wherever other people see the user.
        return self.display_name or self.phone or self.email or self.username

    @property
    def public_name(self) -> str:
        """How other people see this user: the display name, else a masked phone or email."""
        if self.display_name:
            return self.display_name
        if self.phone:
            return mask_phone(self.phone)
        if self.email:
            return mask_email(self.email)
        return gettext("eVillage user")

    def has_role(self, role: str) -> bool:
        return self.roles.filter(role=role).exists()


def mask_phone(phone: str) -> str:
    """+8613800000002 -> +86138****0002: country code and carrier prefix, last four digits."""
    head = min(6, max(len(phone) - 8, 0))
    tail = min(4, max(len(phone) - head - 4, 0))
    return phone[:head] + "*" * (len(phone) - head - tail) + phone[len(phone) - tail :]


def mask_email(email: str) -> str:
    """siti@example.co.id -> s***@example.co.id (always three stars: hides the length)."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="user_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class IdDocument(models.TextChoices):
    CN_RESIDENT_ID = "cn_ric", _("China resident identity card")
    ID_NIK = "id_nik", _("Indonesian NIK")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class IdentityVerification(models.Model):
    """A seller's request to be verified. The full ID number is never stored.

    We keep a masked form for people and a keyed digest (HMAC with
    ID_NUMBER_DIGEST_KEY, see services.id_number_digest) so the same ID cannot verify
    two accounts.
    """

    public_id = PublicIdField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    legal_name = models.CharField(_("legal name"), max_length=100)
    document_type = models.CharField(_("document"), max_length=10, choices=IdDocument.choices)
    number_masked = models.CharField(_("ID number"), max_length=32)
    number_digest = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")
        ordering = ["-submitted_at"]
        constraints = [
            # An ID number may verify only one account.
            models.UniqueConstraint(
                fields=["number_digest"],
                condition=Q(status="approved"),
                name="verified_id_number_unique",
            ),
            # One open request per person at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="one_pending_verification_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.number_masked})"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored."""

    public_id = PublicIdField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
