"""URLs under settings_bench: the site plus the trivial view the benchmark measures every page against."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from mentorprogramma.urls import urlpatterns as site_urlpatterns


@login_required
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial"), *site_urlpatterns]
