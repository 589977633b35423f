from django.urls import path

from braid.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/", views.agreement_create, name="create"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/terminate/", views.terminate, name="terminate"),
    path("<int:pk>/document/", views.document, name="document"),
    path("<int:pk>/document/attach/", views.attach, name="attach"),
    path("<int:pk>/withhold/", views.withhold, name="withhold"),
    path(
        "<int:pk>/withholdings/<int:withholding_pk>/lift/",
        views.lift,
        name="lift",
    ),
]
