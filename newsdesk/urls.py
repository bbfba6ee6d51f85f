from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from annotations import views as annotation_views
from annotations import workflow_views as workflow
from newsdesk import views

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("articles/<int:article_id>/", views.article_detail, name="article-detail"),
    path("claims/", annotation_views.claim_list, name="claim-list"),
    path("claims/<int:claim_id>/", annotation_views.claim_detail, name="claim-detail"),
    path("claims/<int:claim_id>/edit/", annotation_views.claim_edit, name="claim-edit"),
    path("claims/<int:claim_id>/merge/", annotation_views.claim_merge, name="claim-merge"),
    path("entities/", annotation_views.entity_list, name="entity-list"),
    path("entities/name-list/", annotation_views.entity_name_list, name="entity-name-list"),
    path("entities/<int:entity_id>/", annotation_views.entity_detail, name="entity-detail"),
    path("entities/<int:entity_id>/merge/", annotation_views.entity_merge, name="entity-merge"),
    path("entities/<int:entity_id>/split/", annotation_views.entity_split, name="entity-split"),
    path("entities/<int:entity_id>/rename/", annotation_views.entity_rename, name="entity-rename"),
    path("campaigns/", workflow.campaign_list, name="campaign-list"),
    path("campaigns/new/", workflow.campaign_new, name="campaign-new"),
    path("campaigns/<int:campaign_id>/", workflow.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:campaign_id>/state/", workflow.campaign_state, name="campaign-state"),
    path("campaigns/<int:campaign_id>/next/", workflow.campaign_next, name="campaign-next"),
    path("campaigns/<int:campaign_id>/queue/", workflow.review_queue_page, name="campaign-queue"),
    path("campaigns/<int:campaign_id>/dashboard/", workflow.dashboard, name="campaign-dashboard"),
    path("campaigns/<int:campaign_id>/articles/<int:article_id>/", workflow.compare, name="campaign-compare"),
    path("campaigns/<int:campaign_id>/articles/<int:article_id>/adjudicate/", workflow.adjudicate, name="campaign-adjudicate"),
    path("campaigns/<int:campaign_id>/articles/<int:article_id>/mentions/", workflow.adopt_mention, name="campaign-adopt-mention"),
    path("tasks/<int:task_id>/submit/", workflow.task_submit, name="task-submit"),
    path("tasks/<int:task_id>/skip/", workflow.task_skip, name="task-skip"),
    path("tasks/<int:task_id>/review/", workflow.task_review, name="task-review"),
    path("tasks/<int:task_id>/reassign/", workflow.task_reassign, name="task-reassign"),
    path("notifications/", workflow.notification_list, name="notifications"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("newsdesk.api.urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
