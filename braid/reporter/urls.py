from django.urls import path

from braid.reporter import views

app_name = "reporter"
urlpatterns = [
    path("counts/", views.counts, name="counts"),
    path("counts/export/", views.export, name="export"),
]
