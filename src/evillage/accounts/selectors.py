from evillage.accounts.models import User


def user_find_by_login(*, login: str) -> User | None:
    """Find a user by phone or email as typed at login; None when unknown."""
    from evillage.accounts.phones import normalise_phone_or_none

    login = login.strip()
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    phone = normalise_phone_or_none(login)
    if phone:
        return User.objects.filter(phone=phone).first()
    return User.objects.filter(username=login).first()


def user_is_verified(*, user: User) -> bool:
    """True once an operator approved the user's identity verification."""
    from evillage.accounts.models import VerificationStatus

    return (
        user.is_authenticated
        and user.verifications.filter(status=VerificationStatus.APPROVED).exists()
    )
