"""Supplier photo rights: claims, cases, appeals, decisions and the sweep.

Life of a case (every step a PhotoRightsEvent):

    (upload matches a claim) ──licensed──► licensed           (the shop sources from
         │                                                     the supplier)
         └─flagged─► open ──licence in time (sweep)──► licensed
                      │  └─photo deleted (sweep)──► withdrawn
                      └─deadline passed (sweep)──► hidden ──licence (sweep)──► licensed
    appeal (open or hidden, once) ─► operator: uphold → hidden; grant → appeal_granted

Transitions lock the case row and re-check its state (`_move`), so two sweepers, or a
sweeper and an operator, never apply the same step twice. A photo is hidden and shown
again through the catalogue's services, in the case's transaction.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import Role, User
from evillage.catalog.models import ProductPhoto
from evillage.catalog.services.photos import photo_hide, photo_show
from evillage.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from evillage.sameitem import shared_index
from evillage.sameitem.models import (
    ACTIVE_STATES,
    AppealState,
    CaseState,
    IndexState,
    PhotoClaim,
    PhotoRightsCase,
    PhotoRightsEvent,
)
from evillage.sameitem.prints import Prints
from evillage.shops.models import Shop, ShopKind
from evillage.shops.selectors import user_can_manage_products, user_is_shop_staff
from evillage.sourcing.selectors import has_sourcing_relationship

logger = logging.getLogger(__name__)

APPEAL_MIN, APPEAL_MAX = 10, 1000
REASON_MAX = 500
DECISIONS = ("uphold", "grant")


def grace_period() -> timedelta:
    return timedelta(days=settings.PHOTO_RIGHTS_GRACE_DAYS)


def _event(
    case: PhotoRightsCase,
    *,
    action: str,
    from_state: str,
    to_state: str,
    at: datetime,
    actor: User | None = None,
    reason: str = "",
) -> PhotoRightsEvent:
    return PhotoRightsEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=to_state,
        at=at,
        actor=actor,
        reason=reason[:REASON_MAX],
    )


# At upload ------------------------------------------------------------------------------


def rights_on_upload(
    *, photo: ProductPhoto, prints: Prints, state: IndexState, now: datetime
) -> None:
    """Register or check a newly stored photo. Runs in the transaction that stores its
    fingerprints, with the IndexState row locked: the index is current, and no other
    photo is being registered at the same time (two suppliers racing for one picture:
    the first to lock wins)."""
    shop = photo.product.shop
    matches = shared_index.query(prints.query, exclude=(photo.pk,), state=state)
    matched_ids = [photo_id for photo_id, _distance in matches]
    claims = (
        list(
            PhotoClaim.objects.filter(photo_id__in=matched_ids)
            .select_related("supplier")
            .order_by("registered_at", "id")
        )
        if matched_ids
        else []
    )
    # One case per supplier whose photo this matches: its earliest claim.
    foreign: dict[int, PhotoClaim] = {}
    for claim in claims:
        if claim.supplier_id != shop.pk:
            foreign.setdefault(claim.supplier_id, claim)
    for claim in foreign.values():
        _case_open(photo=photo, claim=claim, shop=shop, now=now)
    if shop.kind != ShopKind.SUPPLIER or any(c.supplier_id == shop.pk for c in claims):
        return
    earlier_elsewhere = (
        ProductPhoto.objects.filter(pk__in=matched_ids).exclude(product__shop=shop).exists()
        if matched_ids
        else False
    )
    if not earlier_elsewhere:
        PhotoClaim.objects.create(photo=photo, supplier=shop, registered_at=now)


def _case_open(*, photo: ProductPhoto, claim: PhotoClaim, shop: Shop, now: datetime) -> None:
    if PhotoRightsCase.objects.filter(photo=photo, claim=claim).exists():
        return
    licensed = has_sourcing_relationship(shop=shop, supplier=claim.supplier)
    state = CaseState.LICENSED if licensed else CaseState.OPEN
    case = PhotoRightsCase.objects.create(
        photo=photo,
        claim=claim,
        supplier=claim.supplier,
        shop=shop,
        state=state,
        deadline=None if licensed else now + grace_period(),
        created_at=now,
        updated_at=now,
    )
    if licensed:
        reason = _("The shop sources from the supplier.")
    else:
        reason = _("The photo matches a photo registered by %(supplier)s.") % {
            "supplier": claim.supplier.name
        }
    _event(
        case,
        action="licensed" if licensed else "flagged",
        from_state="",
        to_state=state,
        at=now,
        reason=reason,
    )


def check_not_blocked(*, shop: Shop, prints: list[Prints]) -> None:
    """Refuse photos matching a supplier's photo that this shop lost the right to use (a
    hidden case) while it still has no licence. One query when the shop has no hidden
    case, which is nearly always."""
    blocked = dict(
        PhotoRightsCase.objects.filter(
            shop=shop, state=CaseState.HIDDEN, claim__photo__isnull=False
        ).values_list("claim__photo_id", "supplier_id")
    )
    if not blocked:
        return
    suppliers = Shop.objects.in_bulk(set(blocked.values()))
    for item in prints:
        for photo_id, _distance in shared_index.query(item.query):
            supplier = suppliers.get(blocked.get(photo_id))
            if supplier is None or has_sourcing_relationship(shop=shop, supplier=supplier):
                continue
            raise Conflict(
                _(
                    "This photo belongs to the supplier %(supplier)s, and your shop may no "
                    "longer use it. Buy from the supplier (or link a drop-shipped variant) "
                    "first, or appeal on the Photo rights page."
                )
                % {"supplier": supplier.name},
                code="photo_rights_blocked",
                field="photos",
            )


# Moving a case ----------------------------------------------------------------------------


def _move(
    *,
    case_id: int,
    from_states: tuple[str, ...],
    to_state: str,
    action: str,
    now: datetime,
    actor: User | None = None,
    reason: str = "",
    check=None,
    **fields,
) -> PhotoRightsCase | None:
    """Lock the case; if it is still in one of `from_states` (and `check(case)` passes),
    move it to `to_state`, hide or show its photo as the new state needs, and write the
    event. None when another process got there first. Call inside a transaction."""
    case = (
        PhotoRightsCase.objects.select_for_update()
        .filter(pk=case_id, state__in=from_states)
        .first()
    )
    if case is None:
        return None
    if check is not None:
        check(case)
    from_state = case.state
    changed = PhotoRightsCase.objects.filter(pk=case.pk, state=from_state).update(
        state=to_state, updated_at=now, **fields
    )
    if not changed:
        return None
    case.refresh_from_db()
    if case.photo_id is not None:
        if to_state == CaseState.HIDDEN and from_state != CaseState.HIDDEN:
            photo_hide(
                photo_id=case.photo_id,
                reason=_("Photo of the supplier %(supplier)s, used without a licence.")
                % {"supplier": case.supplier.name},
                now=now,
            )
        elif from_state == CaseState.HIDDEN and to_state != CaseState.HIDDEN:
            still_hidden = (
                PhotoRightsCase.objects.filter(photo_id=case.photo_id, state=CaseState.HIDDEN)
                .exclude(pk=case.pk)
                .exists()
            )
            if not still_hidden:
                photo_show(photo_id=case.photo_id)
    _event(
        case,
        action=action,
        from_state=from_state,
        to_state=to_state,
        at=now,
        actor=actor,
        reason=reason,
    )
    return case


def case_license(*, case_id: int, now: datetime | None = None) -> PhotoRightsCase | None:
    """The shop now sources from the supplier: the case ends, a hidden photo is shown.
    The caller checked the relationship."""
    now = now or timezone.now()
    with transaction.atomic():
        return _move(
            case_id=case_id,
            from_states=ACTIVE_STATES,
            to_state=CaseState.LICENSED,
            action="licensed",
            now=now,
            reason=_("The shop now sources from the supplier."),
        )


def case_hide(*, case_id: int, now: datetime | None = None) -> PhotoRightsCase | None:
    """The grace period passed without a licence: hide the photo."""
    now = now or timezone.now()
    with transaction.atomic():
        return _move(
            case_id=case_id,
            from_states=(CaseState.OPEN,),
            to_state=CaseState.HIDDEN,
            action="hidden",
            now=now,
            reason=_("No licence within the grace period."),
            check=lambda case: _require_due(case, now),
        )


def _require_due(case: PhotoRightsCase, now: datetime) -> None:
    if case.deadline is None or case.deadline > now:
        raise Conflict(_("The grace period has not ended."), code="not_due")


def case_withdraw(*, case_id: int, now: datetime | None = None) -> PhotoRightsCase | None:
    """The shop deleted the flagged photo during the grace period: nothing left to do."""
    now = now or timezone.now()
    with transaction.atomic():
        return _move(
            case_id=case_id,
            from_states=(CaseState.OPEN,),
            to_state=CaseState.WITHDRAWN,
            action="withdrawn",
            now=now,
            reason=_("The shop removed the photo."),
            check=_require_photo_gone,
        )


def _require_photo_gone(case: PhotoRightsCase) -> None:
    if case.photo_id is not None:
        raise Conflict(_("The photo is still there."), code="photo_present")


# People's actions -------------------------------------------------------------------------


def case_appeal(*, case: PhotoRightsCase, actor: User, text: str) -> PhotoRightsCase:
    """The shop's owner contests a case (once), while it is open or after the photo was
    hidden. An appeal does not stop the clock: operators decide, and a granted appeal
    shows the photo again."""
    if not user_is_shop_staff(user=actor, shop=case.shop):
        raise NotFound(_("Case not found."), code="case_not_found")
    if not user_can_manage_products(user=actor, shop=case.shop):
        raise PermissionDenied(_("Only the shop owner can appeal."), code="owner_only")
    text = (text or "").strip()
    if not APPEAL_MIN <= len(text) <= APPEAL_MAX:
        raise ValidationFailed(
            _("Explain your appeal in %(min)d to %(max)d characters.")
            % {"min": APPEAL_MIN, "max": APPEAL_MAX},
            code="appeal_length",
            field="text",
        )
    now = timezone.now()
    with transaction.atomic():
        locked = PhotoRightsCase.objects.select_for_update().get(pk=case.pk)
        if locked.state not in ACTIVE_STATES:
            raise Conflict(_("This case is closed."), code="case_closed")
        if locked.appeal_state != AppealState.NONE:
            raise Conflict(_("This case was already appealed."), code="appeal_exists")
        PhotoRightsCase.objects.filter(pk=locked.pk, appeal_state=AppealState.NONE).update(
            appeal_state=AppealState.PENDING, appeal_text=text, appealed_at=now, updated_at=now
        )
        _event(
            locked,
            action="appealed",
            from_state=locked.state,
            to_state=locked.state,
            at=now,
            actor=actor,
            reason=text,
        )
    locked.refresh_from_db()
    return locked


def case_decide(
    *, case: PhotoRightsCase, actor: User, decision: str, reason: str = ""
) -> PhotoRightsCase:
    """An operator decides a pending appeal: `uphold` keeps (or makes) the photo hidden;
    `grant` shows it again and closes the case."""
    if not actor.is_authenticated or not actor.has_role(Role.OPERATOR):
        raise PermissionDenied(_("Only operators decide appeals."), code="operators_only")
    if decision not in DECISIONS:
        raise ValidationFailed(
            _("Decide “uphold” or “grant”."), code="bad_decision", field="decision"
        )
    reason = (reason or "").strip()[:REASON_MAX]
    now = timezone.now()
    if decision == "grant":
        to_state, action, appeal = CaseState.APPEAL_GRANTED, "appeal_granted", AppealState.GRANTED
        reason = reason or _("Appeal granted.")
    else:
        to_state, action, appeal = CaseState.HIDDEN, "appeal_upheld", AppealState.UPHELD
        reason = reason or _("Appeal refused: the photo stays hidden.")
    with transaction.atomic():
        locked = PhotoRightsCase.objects.select_for_update().get(pk=case.pk)
        if locked.state not in ACTIVE_STATES:
            raise Conflict(_("This case is closed."), code="case_closed")
        if locked.appeal_state != AppealState.PENDING:
            raise Conflict(_("This case has no appeal waiting."), code="no_pending_appeal")
        moved = _move(
            case_id=locked.pk,
            from_states=(locked.state,),
            to_state=to_state,
            action=action,
            now=now,
            actor=actor,
            reason=reason,
            appeal_state=appeal,
            decided_at=now,
            decided_by=actor,
        )
    assert moved is not None  # the row is locked, in the state just read
    return moved


# The sweep ----------------------------------------------------------------------------------


@dataclass
class RightsSweepResult:
    licensed: int = 0
    hidden: int = 0
    withdrawn: int = 0
    failed: int = 0


def rights_sweep(*, now: datetime | None = None) -> RightsSweepResult:
    """Apply what time and sourcing changed. Idempotent; safe with several sweepers
    (each step re-checks the case's state under its row lock). Licences are checked
    before deadlines: a shop that bought from the supplier in time keeps its photo."""
    now = now or timezone.now()
    result = RightsSweepResult()
    gone = PhotoRightsCase.objects.filter(state=CaseState.OPEN, photo__isnull=True)
    for pk in list(gone.values_list("pk", flat=True)):
        result.withdrawn += _safely(case_withdraw, pk, now, result)
    active = list(
        PhotoRightsCase.objects.filter(state__in=ACTIVE_STATES).values_list(
            "pk", "shop_id", "supplier_id"
        )
    )
    pairs = {(shop_id, supplier_id) for _pk, shop_id, supplier_id in active}
    shops = Shop.objects.in_bulk({shop_id for pair in pairs for shop_id in pair})
    licensed_pairs = {
        pair
        for pair in pairs
        if has_sourcing_relationship(shop=shops[pair[0]], supplier=shops[pair[1]])
    }
    for pk, shop_id, supplier_id in active:
        if (shop_id, supplier_id) in licensed_pairs:
            result.licensed += _safely(case_license, pk, now, result)
    due = PhotoRightsCase.objects.filter(state=CaseState.OPEN, deadline__lte=now)
    for pk in list(due.order_by("deadline", "pk").values_list("pk", flat=True)):
        result.hidden += _safely(case_hide, pk, now, result)
    return result


def _safely(step, case_id: int, now: datetime, result: RightsSweepResult) -> int:
    """One case per transaction: a bad row (logged) never blocks the others."""
    try:
        return int(step(case_id=case_id, now=now) is not None)
    except DomainError:
        # Another process moved the case between the list and the lock: nothing to do.
        return 0
    except Exception:
        result.failed += 1
        logger.exception("photo rights case %s: %s failed", case_id, step.__name__)
        return 0
