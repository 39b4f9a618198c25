from django.apps import AppConfig


class StrugglesConfig(AppConfig):
    name = "tribune.struggles"
    verbose_name = "Struggles and campaigns"

    def ready(self) -> None:
        # The audit log's registry of plain labels (tribune.audit.labels, on main since
        # issue 13) learns this app's actions; before that registry exists, nothing to do.
        try:
            from tribune.audit.labels import ACTION_LABELS
        except ImportError:
            return
        from tribune.struggles.audit_labels import LABELS

        for action, label in LABELS.items():
            ACTION_LABELS.setdefault(action, label)
