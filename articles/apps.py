from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "报纸内容"

    def ready(self):
        from . import cache, signals  # noqa: F401  (signals connects the search-index triggers)

        cache.connect_signals()
