from django.urls import path

from braid.children import views

app_name = "children"
urlpatterns = [
    path("", views.record_list, name="list"),
]
