"""Photo fingerprints, the shared index's generation, supplier photo claims and cases.

A product photo's perceptual fingerprints (evillage.sameitem.fingerprint) are stored
here and served by an in-memory index per process (evillage.sameitem.shared_index);
`IndexState` tells every process whether its index is behind the database.

Photo rights: a supplier's photo that nobody else had earlier is registered as the
supplier's (`PhotoClaim`). A later photo of another shop that matches it opens a
`PhotoRightsCase`: licensed at once when the shop sources from the supplier, otherwise
flagged with a deadline, after which the photo is hidden. Every step of a case is a
`PhotoRightsEvent` (who, when, from, to, why).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField


class PhotoFingerprint(models.Model):
    """One 64-bit perceptual hash of a photo (signed, to fit a BigIntegerField).

    `indexed` rows (the whole picture and its crop variants) go into the index;
    `for_query` rows are the few a lookup starts from ("which photos look like this
    one?"). A value that is both is stored once with both flags.
    """

    photo = models.ForeignKey(
        "catalog.ProductPhoto", on_delete=models.CASCADE, related_name="fingerprints"
    )
    value = models.BigIntegerField(db_index=True)
    indexed = models.BooleanField(default=True)
    for_query = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("photo fingerprint")
        verbose_name_plural = _("photo fingerprints")
        constraints = [
            models.UniqueConstraint(fields=["photo", "value"], name="fingerprint_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.photo_id}: {self.value & 0xFFFFFFFFFFFFFFFF:016x}"


def _new_epoch() -> str:
    return secrets.token_hex(8)


class IndexState(models.Model):
    """The one row (pk 1) that says how far the fingerprint table has moved.

    Writers lock it first (so fingerprint ids are committed in increasing order) and
    count what they add and remove; a process compares the counters with its own before
    a lookup and loads only the rows past its highest id, or everything after a removal.
    `epoch` changes when the row is created anew (an emptied database): reload then too.
    """

    added = models.BigIntegerField(default=0)
    removed = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=16, default=_new_epoch)

    class Meta:
        verbose_name = _("fingerprint index state")
        verbose_name_plural = _("fingerprint index state")

    def __str__(self) -> str:
        return f"+{self.added} −{self.removed} ({self.epoch})"


class PhotoClaim(models.Model):
    """A supplier's photo: the first of its kind on the platform, uploaded by the supplier.

    When the supplier deletes the photo the claim stays (for the cases' history) with
    `photo` empty, and no longer matches anything.
    """

    public_id = PublicIdField()
    photo = models.OneToOneField(
        "catalog.ProductPhoto",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rights_claim",
    )
    supplier = models.ForeignKey(
        "shops.Shop", on_delete=models.PROTECT, related_name="photo_claims"
    )
    registered_at = models.DateTimeField(_("registered"))

    class Meta:
        verbose_name = _("supplier photo")
        verbose_name_plural = _("supplier photos")
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.supplier_id})"


class CaseState(models.TextChoices):
    OPEN = "open", _("flagged")
    HIDDEN = "hidden", _("photo hidden")
    LICENSED = "licensed", _("licensed")
    APPEAL_GRANTED = "appeal_granted", _("appeal granted")
    WITHDRAWN = "withdrawn", _("photo removed")


# A case in one of these states still asks something of the shop.
ACTIVE_STATES = (CaseState.OPEN, CaseState.HIDDEN)


class AppealState(models.TextChoices):
    NONE = "", _("no appeal")
    PENDING = "pending", _("appeal waiting for a decision")
    UPHELD = "upheld", _("appeal refused")
    GRANTED = "granted", _("appeal granted")


class PhotoRightsCase(models.Model):
    """A shop's photo that matches a supplier's claimed photo.

    Opened `licensed` when the shop sources from the supplier; otherwise `open` until
    `deadline`, then `hidden` (the sweep). One appeal per case, decided by an operator.
    """

    public_id = PublicIdField()
    # Empty once the shop deletes the photo; a hidden case still blocks re-uploads.
    photo = models.ForeignKey(
        "catalog.ProductPhoto",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rights_cases",
    )
    claim = models.ForeignKey(PhotoClaim, on_delete=models.PROTECT, related_name="cases")
    # Denormalised from the claim: the supplier's lists filter on it.
    supplier = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey(
        "shops.Shop", on_delete=models.PROTECT, related_name="photo_rights_cases"
    )
    state = models.CharField(max_length=16, choices=CaseState.choices)
    deadline = models.DateTimeField(_("hidden after"), null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    appeal_state = models.CharField(
        max_length=8, choices=AppealState.choices, default=AppealState.NONE, blank=True
    )
    appeal_text = models.TextField(_("appeal"), max_length=1000, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("photo rights case")
        verbose_name_plural = _("photo rights cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "claim"], name="rights_case_unique"),
            models.CheckConstraint(
                condition=~Q(state="open") | Q(deadline__isnull=False),
                name="rights_case_open_has_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["shop", "state"]),
            models.Index(fields=["supplier", "state"]),
            models.Index(fields=["appeal_state", "appealed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.get_state_display()})"

    @property
    def appeal_pending(self) -> bool:
        return self.appeal_state == AppealState.PENDING

    @property
    def may_appeal(self) -> bool:
        return self.state in ACTIVE_STATES and self.appeal_state == AppealState.NONE


class PhotoRightsEvent(models.Model):
    """Every step of a case: who (None = the platform), when, from, to, why."""

    case = models.ForeignKey(PhotoRightsCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("photo rights event")
        verbose_name_plural = _("photo rights events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state or '-'} → {self.to_state}"
