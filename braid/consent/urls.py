from django.urls import path

from braid.consent import views

app_name = "consent"
urlpatterns = [
    path("children/<str:public_id>/", views.child_consents, name="child"),
    path("children/<str:public_id>/new/", views.consent_add, name="add"),
    path(
        "children/<str:public_id>/guardians/new/",
        views.guardian_add,
        name="guardian_add",
    ),
    path(
        "guardians/<int:pk>/restrict/",
        views.guardian_restrict,
        name="guardian_restrict",
    ),
    path("<int:pk>/resign/", views.consent_resign, name="resign"),
    path("<int:pk>/revoke/", views.consent_revoke, name="revoke"),
    path("<int:pk>/event/", views.consent_event, name="event"),
    path("<int:pk>/scan/", views.consent_scan, name="scan"),
    path("<int:pk>/verify/", views.consent_verify, name="verify"),
    path("forms/", views.form_list, name="forms"),
    path("forms/<int:pk>/", views.form_version, name="form_version"),
    path("forms/<slug:slug>/publish/", views.form_publish, name="form_publish"),
]
