from django.urls import path

from braid.children import views

app_name = "children"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("export/", views.export, name="export"),
    path("<str:public_id>/", views.child_detail, name="detail"),
]
