from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from evillage.accounts import selectors, services
from evillage.accounts.forms import RejectForm
from evillage.accounts.models import (
    ApiToken,
    IdentityVerification,
    Role,
    User,
    UserRole,
    VerificationStatus,
)
from evillage.accounts.phones import normalise_phone, normalise_phone_or_none
from evillage.core.errors import DomainError

# Users ----------------------------------------------------------------------------------


class UserAddForm(forms.ModelForm):
    """Create a user the way registration does: phone or email, normalised and free."""

    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("phone", "email", "display_name")

    @sensitive_variables("data")
    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
            return data
        try:
            registration = services.registration_check(
                phone=data.get("phone"),
                email=data.get("email"),
                password=data.get("password1") or "",
                display_name=data.get("display_name") or "",
            )
        except DomainError as exc:
            field = "password1" if exc.field == "password" else exc.field
            self.add_error(field if field in self.fields else None, exc.message)
            return data
        data.update(
            phone=registration.phone,
            email=registration.email,
            display_name=registration.display_name,
        )
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = user.phone or user.email
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class UserChangeForm(BaseUserChangeForm):
    """Keeps phone numbers in E.164 and email domains in lower case when operators edit."""

    class Meta(BaseUserChangeForm.Meta):
        model = User

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        if not phone:
            return None
        try:
            return normalise_phone(phone)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_email(self):
        email = self.cleaned_data.get("email")
        return User.objects.normalize_email(email) if email else None


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0
    fields = ("role", "granted_at")
    readonly_fields = ("granted_at",)


class VerificationInline(admin.TabularInline):
    """The user's verification history, read-only (decisions happen in the queue)."""

    model = IdentityVerification
    fk_name = "user"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("status", "document_type", "number_masked", "legal_name", "submitted_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    list_display = (
        "phone",
        "email",
        "display_name",
        "role_list",
        "verified",
        "residence",
        "date_joined",
        "is_staff",
    )
    list_filter = ("roles__role", "is_staff", "is_active")
    list_select_related = ("residence",)
    search_fields = ("phone", "email", "display_name", "username")
    ordering = ("-date_joined",)
    raw_id_fields = ("residence",)
    readonly_fields = ("public_id", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password", "public_id")}),
        (_("Profile"), {"fields": ("phone", "email", "display_name", "language", "residence")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "email", "display_name", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("roles")
        return selectors.users_with_verified_flag(queryset)

    def get_inlines(self, request, obj):
        # On the add page the buyer role is granted by save_model, not typed in.
        return (UserRoleInline, VerificationInline) if obj is not None else ()

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Find "138 1234 5678" although phones are stored as +8613812345678.
        phone = normalise_phone_or_none(search_term)
        if phone:
            results |= queryset.filter(phone=phone)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.role_grant(user=obj, role=Role.BUYER)

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return ", ".join(str(role.get_role_display()) for role in obj.roles.all())

    @admin.display(description=_("verified"), boolean=True, ordering="is_verified")
    def verified(self, obj):
        return obj.is_verified


# Identity verification: the operators' queue --------------------------------------------


class QueueStatusFilter(admin.SimpleListFilter):
    """Status, defaulting to pending: the queue opens on what needs a decision."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*VerificationStatus.choices, (self.ALL, _("All"))]

    def current(self) -> str:
        return self.value() or VerificationStatus.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.current() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.current() == self.ALL:
            return queryset
        return queryset.filter(status=self.current())


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(admin.ModelAdmin):
    list_display = (
        "number_masked",
        "legal_name",
        "user",
        "document_type",
        "status",
        "submitted_at",
        "reviewed_by",
    )
    list_filter = (QueueStatusFilter, "document_type")
    list_select_related = ("user", "reviewed_by")
    search_fields = ("legal_name", "user__phone", "user__email", "user__display_name")
    ordering = ("submitted_at",)
    actions = ("approve", "reject")
    # Nothing is edited by hand: decisions go through the actions (and the services).
    fields = (
        "public_id",
        "user",
        "legal_name",
        "document_type",
        "number_masked",
        "status",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "decision_reason",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve selected requests"), permissions=["change"])
    def approve(self, request, queryset):
        done = 0
        for verification in queryset.select_related("user"):
            try:
                services.verification_approve(verification=verification, operator=request.user)
            except DomainError as exc:
                self.message_user(request, f"{verification}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                gettext("%(count)d request(s) approved.") % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Reject selected requests…"), permissions=["change"])
    def reject(self, request, queryset):
        """Ask for the reason on an intermediate page, then reject with it."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for verification in queryset.select_related("user"):
                try:
                    services.verification_reject(
                        verification=verification,
                        operator=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except DomainError as exc:
                    self.message_user(request, f"{verification}: {exc.message}", messages.ERROR)
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    gettext("%(count)d request(s) rejected.") % {"count": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject identity verifications"),
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/accounts/identityverification/reject.html", context)


# API tokens -----------------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners; operators can only look and revoke (delete)."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__phone", "user__email")
    fields = ("public_id", "user", "name", "prefix", "digest", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
