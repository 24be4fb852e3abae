"""WSGI entry point; gunicorn serves `newsroom.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

from newsroom.process import prepare_web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.base")
application = get_wsgi_application()
prepare_web_process()
