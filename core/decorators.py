"""View decorators shared by the apps' pages."""

from django.views.decorators.http import require_http_methods

# A page with a form: shown with GET (and HEAD), submitted with POST; any other method is a 405.
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])
