"""Background work of reviews (run by `evillage worker` beside the order deadlines)."""

from django_tasks import task

from evillage.reviews.photos import settle_pending_photos


@task()
def sweep_review_photos() -> dict[str, int]:
    """Move the photo files of reviews hidden or shown again whose move did not happen
    after commit (a crash, a storage error)."""
    return {"review_photos_settled": settle_pending_photos()}
