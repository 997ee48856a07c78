"""JSON shapes of the reviews API."""

from datetime import datetime

from django.conf import settings
from ninja import Field, Schema

from evillage.reviews.models import Review, ShopCredit
from evillage.reviews.selectors import DsrRow, reviewer_name


class ReviewPhotoOut(Schema):
    image: str
    thumb: str


class ReplyOut(Schema):
    text: str
    at: datetime


class FollowUpOut(Schema):
    text: str
    at: datetime
    photos: list[ReviewPhotoOut]
    reply: ReplyOut | None


def _photos(review: Review, followup: bool) -> list[dict]:
    return [
        {"image": p.image_url, "thumb": p.thumb_url}
        for p in review.photos.all()
        if p.followup == followup
    ]


class ReviewOut(Schema):
    id: str = Field(alias="public_id")
    product: dict = Field(description="{id, title}")
    shop: dict = Field(description="{id, name}")
    reviewer: str = Field(description="The buyer's public name, masked (王***) if anonymous.")
    anonymous: bool
    rating: str = Field(description="good, neutral or bad.")
    text: str
    photos: list[ReviewPhotoOut]
    created_at: datetime
    reply: ReplyOut | None
    followup: FollowUpOut | None
    hidden: bool = Field(description="Only the author and the shop see hidden reviews.")
    hidden_reason: str

    @staticmethod
    def resolve_product(obj: Review) -> dict:
        return {"id": obj.product.public_id, "title": obj.product.title}

    @staticmethod
    def resolve_shop(obj: Review) -> dict:
        return {"id": obj.shop.public_id, "name": obj.shop.name}

    @staticmethod
    def resolve_reviewer(obj: Review) -> str:
        return reviewer_name(obj)

    @staticmethod
    def resolve_rating(obj: Review) -> str:
        return obj.rating_name

    @staticmethod
    def resolve_photos(obj: Review) -> list[dict]:
        return _photos(obj, False)

    @staticmethod
    def resolve_reply(obj: Review) -> dict | None:
        return {"text": obj.reply_text, "at": obj.reply_at} if obj.reply_at else None

    @staticmethod
    def resolve_followup(obj: Review) -> dict | None:
        if obj.followup_at is None:
            return None
        reply = None
        if obj.followup_reply_at:
            reply = {"text": obj.followup_reply_text, "at": obj.followup_reply_at}
        return {
            "text": obj.followup_text,
            "at": obj.followup_at,
            "photos": _photos(obj, True),
            "reply": reply,
        }

    @staticmethod
    def resolve_hidden(obj: Review) -> bool:
        return obj.is_hidden


class ReplyIn(Schema):
    text: str
    to: str = Field("review", description="review, or followup to answer the follow-up.")


class ReasonIn(Schema):
    reason: str = ""


class LevelOut(Schema):
    tier: str = Field(description="heart, diamond, crown or golden_crown.")
    count: int = Field(description="1 to 5 symbols.")
    symbols: str
    label: str = Field(description='For people, e.g. "2 diamonds (612)".')


class DsrOut(Schema):
    name: str = Field(description="item_as_described, service or shipping_speed.")
    value: float = Field(description="Average of 1..5 over the last days_counted days.")
    versus_category: float | None = Field(
        description="Percent above (+) or below (−) the average of shops in the category."
    )


class CreditOut(Schema):
    shop: str
    score: int
    level: LevelOut | None = Field(description="None below 4 points.")
    good_rate: float | None = Field(description="Goods / counted ratings, 0..1.")
    goods: int
    neutrals: int
    bads: int
    dsr: list[DsrOut]
    days_counted: int


def credit_out(credit: ShopCredit, dsr: list[DsrRow]) -> dict:
    level = credit.level
    return {
        "shop": credit.shop.public_id,
        "score": credit.score,
        "level": None
        if level is None
        else {
            "tier": level.tier,
            "count": level.count,
            "symbols": level.symbols,
            "label": level.label,
        },
        "good_rate": credit.good_rate,
        "goods": credit.goods,
        "neutrals": credit.neutrals,
        "bads": credit.bads,
        "dsr": [
            {"name": r.name, "value": r.value, "versus_category": r.versus_category} for r in dsr
        ],
        "days_counted": settings.REVIEW_DSR_DAYS,
    }
