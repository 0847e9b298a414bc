from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from coordination import health
from core.admin import use_year_order

from . import views

# The admin login goes through allauth, so it shares its rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentorprogramma NOB Vrouwennetwerk"
admin.site.site_title = "Mentorprogramma"
admin.site.index_title = _("Coordination")
use_year_order(admin.site)

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("grensoverschrijdend-gedrag/", views.misconduct, name="misconduct"),
    path("vertrouwelijkheid/", views.confidentiality, name="confidentiality"),
    path("privacyverklaring/", views.privacy, name="privacy"),
    path("overzicht/", views.dashboard, name="dashboard"),
    path("coordinatie/", include("coordination.urls")),
    path("taal/", views.set_language, name="set_language"),
    path("account/", include("allauth.urls")),
    path("profiel/", include("accounts.urls")),
    path("mijn-gegevens/", include("accounts.data_urls")),
    path("programma/", include("matching.urls")),
    path("doelen/", include("goals.urls")),
    path("afspraken/", include("meetings.urls")),
    path("deelnamebewijs/", include("meetings.certificate_urls")),
    path("evaluaties/", include("evaluations.urls")),
    path("admin/", admin.site.urls),
    # For monitors (docs/operations.md): the process answers; everything it needs works.
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
]
