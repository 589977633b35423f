from django.urls import path

from braid.access import views

app_name = "access"
urlpatterns = [
    path("", views.search, name="disclosures"),
    path("export/", views.export, name="export"),
]
