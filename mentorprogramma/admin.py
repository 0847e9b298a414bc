class ReadOnlyAdminMixin:
    """A list coordinators may look at but never add to, edit or delete from (records, statistics, logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
