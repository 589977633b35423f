from django.urls import path

from braid.linkage.views import mapping, review, undoing

app_name = "linkage"
urlpatterns = [
    path("review/", review.review, name="review"),
    path("thresholds/", review.thresholds_page, name="thresholds"),
    path("thresholds/preview/", review.thresholds_preview, name="thresholds_preview"),
    path("children/", mapping.child_index, name="children"),
    path("children/<str:public_id>/", mapping.child_detail, name="child"),
    path("children/<str:public_id>/merge/", mapping.merge, name="merge"),
    path("children/<str:public_id>/split/", mapping.split, name="split"),
    path("changes/", mapping.changes, name="changes"),
    path("changes/<int:pk>/undo/", undoing.undo, name="undo"),
    path("decisions/<int:pk>/withdraw/", mapping.withdraw, name="withdraw"),
]
