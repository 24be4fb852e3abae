"""Create a local editor login for `make run`: a superuser with a random password, printed once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local superuser 'admin' with a random password if no superuser exists yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "Editor login: a superuser already exists. "
                f"Forgot the password? Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Editor login created: username {username!r}, password {password!r}"))
        self.stdout.write("This password is shown only once. Change it with: manage.py changepassword " + username)
