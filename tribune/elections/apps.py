from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "tribune.elections"

    def ready(self) -> None:
        from tribune.constitution.structure import structure_changed
        from tribune.elections.services import cancel_for_abolished_offices

        structure_changed.connect(cancel_for_abolished_offices, dispatch_uid="elections-abolished")
