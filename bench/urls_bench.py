"""URLs under settings_bench: the site plus the reference views the benchmark measures pages against."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from mentorprogramma.urls import urlpatterns as site_urlpatterns


@login_required
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def floor(request):
    """The authenticated floor: logged in, the site's base layout (menu, profile check), nothing of its own."""
    return render(request, "base.html")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("bench/floor/", floor, name="bench_floor"),
    *site_urlpatterns,
]
