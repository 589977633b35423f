from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from braid.community import views as community_views

urlpatterns = [
    path("", community_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("intake/", include("braid.intake.urls")),
    path("children/", include("braid.children.urls")),
    path("reports/", include("braid.reporter.urls")),
    path("linkage/", include("braid.linkage.urls")),
    path("consent/", include("braid.consent.urls")),
    path("disclosures/", include("braid.access.urls")),
    path("agreements/", include("braid.agreements.urls")),
    path("admin/", admin.site.urls),
]
