from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from evillage.accounts import selectors, services
from evillage.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    VerificationForm,
)
from evillage.accounts.models import VerificationStatus
from evillage.core.errors import DomainError
from evillage.core.forms import add_domain_error

BACKEND = "evillage.accounts.backends.PhoneOrEmailBackend"


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Switch the site's language the same way Django's set_language view does."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


class LoginView(auth_views.LoginView):
    # Django's LoginView already hides every POST parameter from error reports.
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        set_language_cookie(response, form.get_user().language)
        return response


@sensitive_post_parameters("password", "password2")
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                language=request.LANGUAGE_CODE,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to eVillage!"))
            safe = url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(next_url if safe else resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/register.html", {"form": form, "next": next_url})


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        has_residence=user.residence_id is not None,
        initial={
            "display_name": user.display_name,
            "language": user.language,
            "residence": user.residence,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.user_update_profile(
                    user=user, display_name=data["display_name"], language=data["language"]
                )
                if data["residence"] is not None and data["residence"] != user.residence:
                    services.user_set_residence(user=user, village=data["residence"])
        except DomainError as exc:
            user.refresh_from_db()
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("accounts:profile")
            set_language_cookie(response, user.language)
            return response
    context = {
        "form": form,
        "roles": user.roles.all(),
        "verification": selectors.verification_latest(user=user),
    }
    return render(request, "accounts/profile.html", context)


@sensitive_post_parameters("number")
@login_required
def verification(request):
    user = request.user
    latest = selectors.verification_latest(user=user)
    can_submit = latest is None or latest.status == VerificationStatus.REJECTED
    form = VerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_submit(user=user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you: an operator will review your request."))
            return redirect("accounts:verification")
    # A refused submission (e.g. already pending) still shows the form with its error.
    context = {"form": form, "verification": latest, "can_submit": can_submit or form.errors}
    return render(request, "accounts/verification.html", context)


@sensitive_variables("new_token", "context")
@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "tokens": selectors.api_token_list(user=request.user),
        "new_token": new_token,
    }
    response = render(request, "accounts/tokens.html", context)
    # The raw token is in this page once: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request, public_id: str):
    try:
        token = selectors.api_token_get(user=request.user, public_id=public_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        services.api_token_revoke(token=token)
        messages.success(request, _("The token is revoked."))
    return redirect("accounts:tokens")
