"""Models shared by every app. See evillage.core.idempotency for how keys are used."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One client-chosen `Idempotency-Key` of one user, and the answer it got.

    The row is claimed (inserted as in progress, in its own committed transaction)
    before the operation runs; the unique (user, key) constraint decides races.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="idempotency_keys",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=255)
    scope = models.CharField(_("operation"), max_length=255, help_text=_("Method and route."))
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64, help_text=_("SHA-256 of the request parameters.")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.IN_PROGRESS
    )
    # Bumped by each takeover of a stale claim; the owner of an attempt is the only one
    # allowed to complete or free the row (see idempotency._reclaim_stale).
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    locked_at = models.DateTimeField(_("claimed at"))
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_content_type = models.CharField(_("response type"), max_length=100, blank=True)
    # The exact text first sent, so that a replay is byte-for-byte the same.
    response_body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key"),
            models.CheckConstraint(
                condition=(
                    Q(state="in_progress", response_status__isnull=True, completed_at__isnull=True)
                    | Q(
                        state="completed", response_status__isnull=False, completed_at__isnull=False
                    )
                ),
                name="core_idempotency_completed_has_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.scope})"
