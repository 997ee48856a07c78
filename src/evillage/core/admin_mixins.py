"""What the operators' admin pages share."""


class ReadOnlyMixin:
    """Operators read these records; they change only through the app's services, which
    keep money, stock and histories in step."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
