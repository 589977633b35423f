from django.urls import path

from braid.linkage import views

app_name = "linkage"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("thresholds/", views.thresholds_page, name="thresholds"),
    path("thresholds/preview/", views.thresholds_preview, name="thresholds_preview"),
    path("children/", views.child_index, name="children"),
    path("children/<str:public_id>/", views.child_detail, name="child"),
    path("children/<str:public_id>/merge/", views.merge, name="merge"),
    path("children/<str:public_id>/split/", views.split, name="split"),
    path("changes/", views.changes, name="changes"),
    path("changes/<int:pk>/undo/", views.undo, name="undo"),
    path("decisions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
