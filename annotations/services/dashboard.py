"""Campaign figures: progress per campaign and annotator, throughput per day,
agreement, the articles with most disagreement; and the same as CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from annotations.models import AnnotationTask, CampaignArticle, TaskState
from annotations.services.agreement import campaign_agreement, disagreements
from newsdesk.models import Article

DONE_STATES = {TaskState.SUBMITTED, TaskState.ACCEPTED}
OPEN_STATES = {TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.CHANGES_REQUESTED}
THROUGHPUT_DAYS = 14


def campaign_progress(campaign) -> dict:
    states = dict(AnnotationTask.objects.filter(campaign=campaign).values_list("state").annotate(n=Count("id")).order_by())
    articles = CampaignArticle.objects.filter(campaign=campaign).count()
    return {"articles": articles, "slots": articles * campaign.overlap, "states": {state: states.get(state, 0) for state in TaskState.values}}


def annotator_rows(campaign) -> list[dict]:
    rows: dict[str, dict] = defaultdict(lambda: {"done": 0, "open": 0, "rejected": 0, "skipped": 0, "seconds": 0})
    for username, state, count, seconds in (
        AnnotationTask.objects.filter(campaign=campaign)
        .values_list("annotator__username", "state")
        .annotate(n=Count("id"), seconds=Sum("seconds_spent"))
        .order_by()
    ):
        row = rows[username]
        row["seconds"] += seconds or 0
        if state in DONE_STATES:
            row["done"] += count
        elif state in OPEN_STATES:
            row["open"] += count
        elif state == TaskState.REJECTED:
            row["rejected"] += count
        elif state == TaskState.SKIPPED:
            row["skipped"] += count
    return [{"annotator": name, **row} for name, row in sorted(rows.items())]


def throughput(campaign, days: int = THROUGHPUT_DAYS) -> list[dict]:
    """Submissions per day over the last `days` days (zeros included)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    counts = dict(
        AnnotationTask.objects.filter(campaign=campaign, submitted_at__date__gte=first)
        .annotate(day=TruncDate("submitted_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [{"day": first + timedelta(days=offset), "submitted": counts.get(first + timedelta(days=offset), 0)} for offset in range(days)]


CHART_HEIGHT, BAR_STEP = 100, 50


def _bar(index: int, day: dict, peak: int) -> dict:
    """A day's bar in the dashboard's SVG chart (baseline at y = 110)."""
    height = round(CHART_HEIGHT * day["submitted"] / peak)
    return {**day, "x": index * BAR_STEP, "height": height, "y": 110 - height}


def campaign_dashboard(campaign) -> dict:
    progress = campaign_progress(campaign)
    worst = disagreements(campaign)
    titles = dict(Article.objects.filter(id__in=[row["article"] for row in worst]).values_list("id", "title"))
    series = throughput(campaign)
    peak = max([day["submitted"] for day in series] + [1])
    done = sum(progress["states"][state] for state in DONE_STATES)
    return {
        "progress": progress,
        "done": done,
        "remaining": max(progress["slots"] - done, 0),
        "annotators": annotator_rows(campaign),
        "throughput": [_bar(index, day, peak) for index, day in enumerate(series)],
        "agreement": campaign_agreement(campaign),
        "disagreements": [{**row, "title": titles.get(row["article"], "")} for row in worst],
    }


def dashboard_csv(campaign) -> str:
    """The dashboard's figures as one CSV table: section, key, columns…"""
    figures = campaign_dashboard(campaign)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "key", "value", "detail"])
    for state, count in figures["progress"]["states"].items():
        writer.writerow(["tasks", state, count, ""])
    writer.writerow(["slots", "done", figures["done"], figures["progress"]["slots"]])
    for row in figures["annotators"]:
        writer.writerow(["annotator", row["annotator"], row["done"], f"open={row['open']} rejected={row['rejected']} skipped={row['skipped']} seconds={row['seconds']}"])
    for day in figures["throughput"]:
        writer.writerow(["submitted_per_day", day["day"].isoformat(), day["submitted"], ""])
    stances = figures["agreement"]["stances"]
    writer.writerow(["agreement", "fleiss_kappa", stances["fleiss_kappa"], f"items={stances['fleiss_items']}"])
    writer.writerow(["agreement", "krippendorff_alpha", stances["krippendorff_alpha"], f"items={stances['items']}"])
    for pair in stances["pairs"]:
        writer.writerow(["cohen_kappa", f"{pair['a']}|{pair['b']}", pair["cohen_kappa"], f"items={pair['items']}"])
    for pair in figures["agreement"]["mentions"]["pairs"]:
        writer.writerow(["mention_f1", f"{pair['a']}|{pair['b']}", pair["exact_f1"], f"overlap={pair['overlap_f1']} articles={pair['articles']}"])
    for row in figures["disagreements"]:
        writer.writerow(["disagreement", row["article"], row["items"], row["title"]])
    # The byte-order mark tells a spreadsheet the file is UTF-8 (Arabic titles).
    return "\ufeff" + buffer.getvalue()
