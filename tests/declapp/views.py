from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.ui.permissions import require_perm
from tests.declapp.declarations import VIEW

__all__ = ["page"]


@require_perm(VIEW)
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
