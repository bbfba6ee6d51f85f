"""REST API of the editorial workflow: campaigns, tasks, review, adjudication,
agreement and notifications. Thin callers of annotations/services."""

from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from annotations.access import access_campaign, access_task, require_reader
from annotations.api import serializers as inputs
from annotations.api.views import WRITE_ERRORS, validated
from annotations.models import AnnotationTask, Campaign, Notification
from annotations.representations import (
    campaign_dict,
    mention_dict,
    notification_dict,
    stance_dict,
    task_dict,
)
from annotations.services import campaigns, notifications, queue, reviews
from annotations.services.agreement import campaign_agreement
from annotations.services.dashboard import campaign_progress, dashboard_csv
from newsdesk.api import filters, schema
from newsdesk.api.framework import requested_version
from newsdesk.api.views import ListedViewSet
from newsdesk.roles import is_editor

READ_ERRORS = {403: schema.ErrorSerializer, 404: schema.ErrorSerializer}


@extend_schema(tags=["workflow"])
class CampaignViewSet(ListedViewSet):
    queryset = Campaign.objects.select_related("created_by")
    filterset_class = filters.CampaignFilter
    represent = staticmethod(campaign_dict)

    def get_queryset(self):
        require_reader(self.request.user)
        queryset = super().get_queryset()
        if is_editor(self.request.user):
            return queryset
        return queryset.filter(members__user=self.request.user).distinct()

    @extend_schema(responses=schema.CampaignSerializer(many=True))
    def list(self, request, *args, **kwargs):
        """Campaigns you can see: all of them for editors, your own for annotators."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=inputs.CampaignCreateInputSerializer, responses={201: schema.CampaignSerializer, **WRITE_ERRORS})
    def create(self, request):
        """A draft campaign over the chosen articles; activate it to hand out work."""
        data = validated(inputs.CampaignCreateInputSerializer, request)
        campaign = campaigns.create_campaign(editor=request.user, **data)
        return Response(campaign_dict(campaign, campaign_progress(campaign)), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: schema.CampaignSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        campaign = access_campaign(request.user, pk)
        return Response(campaign_dict(campaign, campaign_progress(campaign)))

    @extend_schema(request=None, responses={200: schema.CampaignSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Start the campaign (or reopen a closed one); its annotators are notified."""
        return Response(campaign_dict(campaigns.set_campaign_state(editor=request.user, campaign_id=pk, state="active")))

    @extend_schema(request=None, responses={200: schema.CampaignSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(campaign_dict(campaigns.set_campaign_state(editor=request.user, campaign_id=pk, state="closed")))

    @extend_schema(
        request=None,
        responses={200: schema.TaskSerializer, 204: OpenApiResponse(description="Nothing left for you."), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="next-task")
    def next_task(self, request, pk=None):
        """Your open task in this campaign, or the next free slot (atomic: no article gets more than
        `overlap` annotators, no slot is handed out twice)."""
        task = queue.next_task(annotator=request.user, campaign_id=pk)
        if task is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(task_dict(task))

    @extend_schema(responses={200: schema.AgreementSerializer, **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def agreement(self, request, pk=None):
        """Stance agreement (Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha) and mention span F1."""
        campaign = access_campaign(request.user, pk, to_manage=True)
        return Response(campaign_agreement(campaign))

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The dashboard figures."), **READ_ERRORS}
    )
    @action(detail=True, methods=["get"], url_path="dashboard-csv")
    def dashboard_csv(self, request, pk=None):
        campaign = access_campaign(request.user, pk, to_manage=True)
        response = HttpResponse(dashboard_csv(campaign), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.id}.csv"'
        return response

    @extend_schema(request=inputs.AdjudicateInputSerializer, responses={200: schema.StanceSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def adjudicate(self, request, pk=None):
        """Set the final-layer label of an article's (or comment's) stance toward a claim."""
        data = validated(inputs.AdjudicateInputSerializer, request)
        stance = reviews.adjudicate_stance(
            editor=request.user, campaign_id=pk, article_id=data["article"], comment_id=data["comment"],
            claim_id=data["claim"], label=data["label"],
        )
        return Response(stance_dict(stance, []))

    @extend_schema(request=inputs.AdoptMentionInputSerializer, responses={200: schema.ClaimMentionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="adopt-mention")
    def adopt_mention(self, request, pk=None):
        """Copy an annotator's claim mention into the final layer."""
        data = validated(inputs.AdoptMentionInputSerializer, request)
        return Response(mention_dict(reviews.adopt_mention(editor=request.user, campaign_id=pk, mention_id=data["mention"])))


@extend_schema(tags=["workflow"])
class TaskViewSet(ListedViewSet):
    queryset = AnnotationTask.objects.select_related("annotator", "reviewed_by")
    filterset_class = filters.TaskFilter
    represent = staticmethod(task_dict)

    def get_queryset(self):
        require_reader(self.request.user)
        queryset = super().get_queryset()
        user = self.request.user
        if is_editor(user):
            return queryset
        managed = Q(campaign__members__user=user, campaign__members__role="editor")
        return queryset.filter(Q(annotator=user) | managed).distinct()

    @extend_schema(responses=schema.TaskSerializer(many=True))
    def list(self, request, *args, **kwargs):
        """Your tasks; for a campaign's editors, all of its tasks (filter by campaign, state, annotator)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: schema.TaskSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        return Response(task_dict(access_task(request.user, pk)))

    @extend_schema(request=None, responses={200: schema.TaskSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def touch(self, request, pk=None):
        """The annotator opened or worked on the task: it is in progress, and the time counts."""
        return Response(task_dict(queue.touch_task(annotator=request.user, task_id=pk)))

    @extend_schema(request=None, responses={200: schema.TaskSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return Response(task_dict(queue.submit_task(annotator=request.user, task_id=pk)))

    @extend_schema(request=inputs.SkipInputSerializer, responses={200: schema.TaskSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        data = validated(inputs.SkipInputSerializer, request)
        return Response(task_dict(queue.skip_task(annotator=request.user, task_id=pk, reason=data["reason"])))

    @extend_schema(request=inputs.ReviewInputSerializer, responses={200: schema.TaskSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Accept, request changes (with a comment the annotator sees) or reject submitted work."""
        data = validated(inputs.ReviewInputSerializer, request)
        version, from_header = requested_version(request)
        task = reviews.review_task(
            editor=request.user, task_id=pk, decision=data["decision"], comment=data["comment"], version=version, from_header=from_header
        )
        return Response(task_dict(task))

    @extend_schema(request=inputs.ReassignInputSerializer, responses={200: schema.TaskSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        data = validated(inputs.ReassignInputSerializer, request)
        return Response(task_dict(queue.reassign_task(editor=request.user, task_id=pk, to_username=data["annotator"])))


@extend_schema(tags=["workflow"])
class NotificationViewSet(ListedViewSet):
    queryset = Notification.objects.all()
    filterset_class = None
    represent = staticmethod(notification_dict)

    def get_queryset(self):
        return super().get_queryset().filter(user=self.request.user)

    @extend_schema(responses=schema.NotificationSerializer(many=True))
    def list(self, request, *args, **kwargs):
        """Your notifications, newest first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        notifications.mark_all_read(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
