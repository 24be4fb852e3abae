from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "报纸内容"

    def ready(self):
        from . import cache, revisions, signals  # noqa: F401  (search-index triggers; what reversion versions)

        cache.connect_signals()
