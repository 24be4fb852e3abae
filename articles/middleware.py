"""Response headers Django 5.2 does not set by itself."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy from settings; the policy allows no inline script."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        # Django's admin loads its scripts from files since 4.x, so one policy covers the whole site.
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
