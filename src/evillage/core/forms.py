from django import forms

from evillage.core.errors import DomainError


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's error on the field it concerns, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
