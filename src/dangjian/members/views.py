"""Pages of the members app: selectors for reads, services for writes; no business logic here."""
from django.http import HttpResponse


def placeholder(request):  # replaced by the real pages
    return HttpResponse("todo")
