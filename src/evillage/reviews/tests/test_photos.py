"""A hidden review's photos stop being public files; its author, the shop and operators
still see them through a guarded view; showing the review again makes them public."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.reviews.models import Review
from evillage.reviews.photos import settle_pending_photos
from evillage.reviews.services import review_hide, review_unhide
from evillage.reviews.tests.helpers import finished_order, photo, review

pytestmark = pytest.mark.django_db


def files_of(made: Review) -> list[str]:
    [p] = made.photos.all()
    return [p.image.name, p.thumb.name]


def public(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def private(name: str) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / name


def hide(made: Review, capture) -> Review:
    with capture(execute=True):
        return review_hide(review=made, actor=OperatorFactory(), reason="照片里有别人的身份证")


def test_hiding_moves_the_photos_out_of_the_public_folder(
    client, django_capture_on_commit_callbacks
):
    order = finished_order()
    made = review(order, text="桌子不错", photos=[photo()])
    names = files_of(made)
    public_bytes = public(names[0]).read_bytes()
    hide(made, django_capture_on_commit_callbacks)

    assert not any(public(n).exists() for n in names)
    assert all(private(n).exists() for n in names)
    assert Review.objects.get(pk=made.pk).photos_private

    guarded = reverse("reviews:photo", args=[made.photos.get().pk, "full"])
    # The buyer's page links the guarded copy, never the old public path.
    client.force_login(order.buyer)
    page = client.get(reverse("reviews:line", args=[order.public_id, 1])).content.decode()
    assert guarded in page and names[0] not in page
    for who in (order.buyer, order.shop.owner, OperatorFactory()):
        client.force_login(who)
        response = client.get(guarded)
        assert response.status_code == 200, who
        assert response.content == public_bytes
    client.force_login(UserFactory())
    assert client.get(guarded).status_code == 404
    client.logout()
    assert client.get(guarded).status_code == 302  # to the login page


def test_showing_the_review_again_makes_its_photos_public_again(
    client, django_capture_on_commit_callbacks
):
    order = finished_order()
    made = review(order, text="桌子不错", photos=[photo()])
    names = files_of(made)
    hide(made, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        review_unhide(review=made, actor=OperatorFactory())

    assert all(public(n).exists() for n in names)
    assert not any(private(n).exists() for n in names)
    assert not Review.objects.get(pk=made.pk).photos_private
    client.force_login(UserFactory())
    response = client.get(reverse("reviews:photo", args=[made.photos.get().pk, "thumb"]))
    assert response.status_code == 302
    assert response["Location"].endswith(names[1])


def test_a_move_that_did_not_happen_after_commit_is_done_by_the_sweep():
    """The process died between the hiding's commit and the move: the photo is still
    public, and the worker's sweep moves it."""
    made = review(finished_order(), text="桌子不错", photos=[photo()])
    names = files_of(made)
    review_hide(review=made, actor=OperatorFactory(), reason="照片里有别人的身份证")
    assert public(names[0]).exists()  # the after-commit move never ran in this test

    assert settle_pending_photos() == 1
    assert not public(names[0]).exists() and private(names[0]).exists()
    assert settle_pending_photos() == 0


def test_api_clients_fetch_a_hidden_reviews_photo_with_their_token(
    client, django_capture_on_commit_callbacks
):
    """The API links a hidden review's photos to the guarded view: the author's bearer
    token opens them, a stranger's does not, a bad token is 401 (not a login page)."""
    from evillage.accounts.services.tokens import api_token_create

    order = finished_order()
    made = review(order, text="桌子不错", photos=[photo()])
    hide(made, django_capture_on_commit_callbacks)
    url = reverse("reviews:photo", args=[made.photos.get().pk, "thumb"])
    _, token = api_token_create(user=order.buyer)
    _, stranger = api_token_create(user=UserFactory())
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {stranger}").status_code == 404
    refused = client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert (refused.status_code, refused["WWW-Authenticate"]) == (401, "Bearer")
