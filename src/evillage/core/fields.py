from django.db import models

from evillage.core.ids import PUBLIC_ID_LENGTH, new_public_id


class PublicIdField(models.CharField):
    """A unique, random, URL-safe id assigned on creation and never changed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", PUBLIC_ID_LENGTH)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("default", new_public_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "evillage.core.fields.PublicIdField", args, kwargs
