from django.urls import path

from braid.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/stop/", views.stop_waiting, name="stop"),
    path("<int:pk>/discard/", views.discard, name="discard"),
]
