"""Reviews of finished order lines, their photos and events, and each shop's credit.

A buyer reviews each line of a finished order once (Taobao's 评价): a rating (good,
neutral, bad), three detailed seller ratings of 1 to 5 (DSR), text and photos; later one
follow-up (追评). The shop's staff reply once to each. Operators may hide a review that
breaks the rules, with a reason (an event row); a hidden review does not count.

`points` and `counted` on a review are what it contributes to its shop's credit after
Taobao's anti-inflation rules (evillage.reviews.credit); ShopCredit sums them per shop and
is kept in the same transaction as every change (evillage.reviews.services).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField
from evillage.reviews.credit import Level, level_for


class Rating(models.IntegerChoices):
    GOOD = 1, _("good")
    NEUTRAL = 0, _("neutral")
    BAD = -1, _("bad")


# The names the API and the forms use for a rating.
RATING_NAMES = {"good": Rating.GOOD, "neutral": Rating.NEUTRAL, "bad": Rating.BAD}
DSR_FIELDS = ("item_as_described", "service", "shipping_speed")


def _dsr_field(label):
    return models.PositiveSmallIntegerField(label, help_text=_("1 (poor) to 5 (excellent)"))


# Reviews whose photo files are not yet where their state wants them (reviews.photos).
PHOTOS_TO_SETTLE = Q(is_hidden=True, photos_private=False) | Q(is_hidden=False, photos_private=True)


class Review(models.Model):
    public_id = PublicIdField()
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    # One review per order line: the constraint decides a race between two submits.
    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="review"
    )
    # Denormalised from the order and its line, for the credit slices and the lists.
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="reviews")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="reviews")
    # When the order was created: the anti-inflation rules count by this time.
    ordered_at = models.DateTimeField(_("ordered"))
    rating = models.SmallIntegerField(_("rating"), choices=Rating.choices)
    item_as_described = _dsr_field(_("item as described"))
    service = _dsr_field(_("service"))
    shipping_speed = _dsr_field(_("shipping speed"))
    text = models.CharField(_("review"), max_length=500, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    created_at = models.DateTimeField(_("reviewed"), db_index=True)
    followup_text = models.CharField(_("follow-up"), max_length=500, blank=True)
    followup_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    reply_text = models.CharField(_("seller's reply"), max_length=500, blank=True)
    reply_at = models.DateTimeField(null=True, blank=True)
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followup_reply_text = models.CharField(
        _("seller's reply to the follow-up"), max_length=500, blank=True
    )
    followup_reply_at = models.DateTimeField(null=True, blank=True)
    followup_reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("why hidden"), max_length=500, blank=True)
    # Where the photo files are: private storage while hidden (reviews.photos). Differs
    # from is_hidden only until the files have moved after a hide or unhide committed.
    photos_private = models.BooleanField(default=False, editable=False)
    # What the review adds to the shop's credit after the anti-inflation rules.
    points = models.SmallIntegerField(_("points"), default=0, editable=False)
    # Whether it is one of the ratings the good-review rate counts.
    counted = models.BooleanField(_("counted"), default=False, editable=False)
    # Whether its detailed ratings count in the shop's DSR (the first three of one buyer
    # at one shop per calendar month do).
    dsr_counted = models.BooleanField(
        _("counts in detailed ratings"), default=False, editable=False
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__in=[-1, 0, 1]), name="review_rating_known"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"review_{name}_1_to_5",
                )
                for name in DSR_FIELDS
            ),
            models.CheckConstraint(condition=Q(points__in=[-1, 0, 1]), name="review_points_range"),
            models.CheckConstraint(
                condition=Q(points=0) | Q(counted=True), name="review_points_only_if_counted"
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "buyer", "ordered_at"]),
            models.Index(fields=["product", "is_hidden", "created_at"]),
            models.Index(fields=["shop", "is_hidden", "created_at"]),
            # The worker's sweep looks for these every minute: a few rows, never a scan.
            models.Index(fields=["id"], condition=PHOTOS_TO_SETTLE, name="review_photos_to_settle"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def rating_name(self) -> str:
        return {1: "good", 0: "neutral", -1: "bad"}[self.rating]


class ReviewPhoto(models.Model):
    """A photo of a review or of its follow-up, re-encoded by evillage.core.images."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    followup = models.BooleanField(default=False)
    image = models.ImageField(
        upload_to="reviews/%Y/%m/", width_field="width", height_field="height"
    )
    thumb = models.ImageField(upload_to="reviews/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["followup", "position", "id"]

    def __str__(self) -> str:
        return f"{self.review_id} #{self.position}"

    # Templates and the API link photos through these: a hidden review's are not public.
    @property
    def image_url(self) -> str:
        from evillage.reviews.photos import photo_url

        return photo_url(self, "full")

    @property
    def thumb_url(self) -> str:
        from evillage.reviews.photos import photo_url

        return photo_url(self, "thumb")


class ReviewAction(models.TextChoices):
    CREATED = "created", _("reviewed")
    FOLLOWED_UP = "followed_up", _("followed up")
    REPLIED = "replied", _("seller replied")
    HIDDEN = "hidden", _("hidden by an operator")
    UNHIDDEN = "unhidden", _("shown again by an operator")


class ReviewEvent(models.Model):
    """Every change of a review: who, when, what, why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=12, choices=ReviewAction.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id} {self.action}"


class ShopCredit(models.Model):
    """A shop's seller credit (信用), summed from its reviews' `points` and `counted`.

    Written only by evillage.reviews.services, in the transaction of the review change;
    `evillage recompute_credit` rebuilds it from the reviews and reports any drift.
    """

    shop = models.OneToOneField(
        "shops.Shop", on_delete=models.CASCADE, primary_key=True, related_name="credit"
    )
    score = models.IntegerField(_("credit score"), default=0)
    goods = models.PositiveIntegerField(_("good ratings counted"), default=0)
    neutrals = models.PositiveIntegerField(_("neutral ratings counted"), default=0)
    bads = models.PositiveIntegerField(_("bad ratings counted"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shop credit")
        verbose_name_plural = _("shop credit")

    def __str__(self) -> str:
        return f"{self.shop_id}: {self.score}"

    @property
    def rated(self) -> int:
        return self.goods + self.neutrals + self.bads

    @property
    def good_rate(self) -> float | None:
        """Goods over all counted ratings (好评率), 0..1; None before the first rating."""
        return self.goods / self.rated if self.rated else None

    @property
    def level(self) -> Level | None:
        return level_for(self.score)
