from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("aanmelden/<int:cycle_pk>/<str:role>/", views.apply, name="apply"),
    path("aanmelding/<int:pk>/wijzigen/", views.application_edit, name="application_edit"),
    path("aanmelding/<int:pk>/intrekken/", views.application_withdraw, name="application_withdraw"),
    path("aanmelding/<int:pk>/plekken/", views.application_places, name="application_places"),
    path("aanmelding/<int:pk>/meenemen/", views.application_carry_over, name="application_carry_over"),
    path("aanmelding/<int:pk>/mentoren/", views.mentor_choices, name="mentor_choices"),
    path("voorstel/<int:pk>/", views.mentor_answer, name="mentor_answer"),
    path("partner/<int:pk>/", views.partner_profile, name="partner_profile"),
    path("mentorschap/<int:pk>/", views.pair_detail, name="pair_detail"),
    path("mentorschap/<int:pk>/afspraken/", views.agreement_edit, name="agreement_edit"),
    path("mentorschap/<int:pk>/vertrouwelijkheid/", views.confirm_trust, name="confirm_trust"),
    path("mentorschap/<int:pk>/verlengen/", views.renewal, name="renewal"),
    path("mentorschap/<int:pk>/contact/", views.first_contact, name="first_contact"),
    path("mentorschap/<int:pk>/past-het/", views.fit_check, name="fit_check"),
]
