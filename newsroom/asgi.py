"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from newsroom.process import prepare_web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.base")
application = get_asgi_application()
prepare_web_process()
