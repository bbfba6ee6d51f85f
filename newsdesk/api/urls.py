from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from annotations.api import exports as export_views
from annotations.api import views as annotation_views
from annotations.api import workflow as workflow_views
from newsdesk.api import views as news_views
from newsdesk.api.framework import no_such_endpoint

router = DefaultRouter(trailing_slash=True)
router.register("sources", news_views.SourceViewSet, basename="source")
router.register("articles", news_views.ArticleViewSet, basename="article")
router.register("comments", news_views.CommentViewSet, basename="comment")
router.register("revisions", news_views.RevisionViewSet, basename="revision")
router.register("claims", annotation_views.ClaimViewSet, basename="claim")
router.register("mentions", annotation_views.ClaimMentionViewSet, basename="mention")
router.register("stances", annotation_views.StanceViewSet, basename="stance")
router.register("entities", annotation_views.EntityViewSet, basename="entity")
router.register("entity-mentions", annotation_views.EntityMentionViewSet, basename="entity-mention")
router.register("audit", annotation_views.AuditEventViewSet, basename="audit")
router.register("deletions", annotation_views.DeletionViewSet, basename="deletion")
router.register("campaigns", workflow_views.CampaignViewSet, basename="campaign")
router.register("tasks", workflow_views.TaskViewSet, basename="task")
router.register("notifications", workflow_views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("export/articles.jsonl", export_views.ArticlesJsonlExport.as_view(), name="export-articles"),
    path("export/annotations.jsonld", export_views.WebAnnotationExport.as_view(), name="export-annotations"),
    path("export/stances.csv", export_views.StanceCsvExport.as_view(), name="export-stances"),
    path("export/claims.json", export_views.BalyExport.as_view(), name="export-baly"),
    path("", include(router.urls)),
    re_path(r"^.*$", no_such_endpoint),
]
