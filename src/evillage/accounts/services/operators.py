"""Operators work in the Django admin: staff status plus one group of permissions."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from evillage.accounts.models import User

OPERATORS_GROUP = "operators"
# What operators moderate. Deleting is left out on purpose: history is data, and
# removals go through admin actions that call the services.
OPERATOR_APPS = ("accounts", "places", "shops", "catalog", "axes")


def operator_group() -> Group:
    """The operators' group, with its permissions brought up to date."""
    group, _created = Group.objects.get_or_create(name=OPERATORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=OPERATOR_APPS).exclude(
        codename__startswith="delete_"
    )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def operator_access_grant(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    user.is_staff = True
    user.groups.add(operator_group())


@transaction.atomic
def operator_access_revoke(*, user: User) -> None:
    user.groups.remove(*Group.objects.filter(name=OPERATORS_GROUP))
    if not user.is_superuser:
        User.objects.filter(pk=user.pk).update(is_staff=False)
        user.is_staff = False
