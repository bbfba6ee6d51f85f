"""Demo data for the quick start: synthetic Arabic articles and one user per role.

The pages in newsdesk/demo/pages were written for Newsdesk (a fictional dam
story across four fictional outlets) in the shapes of real scraped pages:
related-article lists, "most read" blocks, subscribe prompts, captions, reader
comments with emoji, an English caption and a mixed Arabic/English paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from newsdesk.roles import ANNOTATOR, EDITOR, ROLE_GROUPS
from newsdesk.services.ingestion import ImportReport, import_paths

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo" / "pages"
# The outlet of each demo page; JSON Lines records name their own.
DEMO_SOURCES = {
    "01_wahat_dam_minister.txt": "الواحة اليوم",
    "02_marfa_experts_doubt.txt": "المرفأ نيوز",
    "03_sada_municipality.txt": "صدى المدينة",
    "04_wahat_residents.txt": "الواحة اليوم",
    "05_wire_feed.jsonl": None,
    "06_marfa_analysis.html": "المرفأ نيوز",
}
DEMO_PASSWORD = "newsdesk-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str


DEMO_USERS = (
    DemoUser("layla", ANNOTATOR, "ليلى حداد"),
    DemoUser("omar", ANNOTATOR, "عمر سليمان"),
    DemoUser("nadia", EDITOR, "نادية خوري"),
    DemoUser("admin", "admin", "Newsdesk Admin"),
)


def ensure_role_groups() -> None:
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


@transaction.atomic
def ensure_demo_users() -> list[DemoUser]:
    """Create the demo users (password DEMO_PASSWORD) unless they exist."""
    ensure_role_groups()
    user_model = get_user_model()
    for demo in DEMO_USERS:
        first, _, last = demo.full_name.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=demo.username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = demo.role in (EDITOR, "admin")
            user.is_superuser = demo.role == "admin"
            user.save(update_fields=["password", "is_staff", "is_superuser"])
        if demo.role in ROLE_GROUPS:
            user.groups.add(Group.objects.get(name=demo.role))
    return list(DEMO_USERS)


def load_demo_articles() -> ImportReport:
    report = ImportReport()
    for filename, source in DEMO_SOURCES.items():
        part = import_paths([str(DEMO_DIR / filename)], source=source)
        report.imported += part.imported
        report.updated += part.updated
        report.revised += part.revised
        report.unchanged += part.unchanged
        report.failures += part.failures
    return report


DEMO_CAMPAIGN = "وعود سد وادي السنديان"
DEMO_GUIDELINES = """# الإرشادات

1. حدّد كل جملة تنقل **ادعاءً** قابلاً للتحقق عن السد، واربطها بالادعاء المناسب أو أنشئ ادعاءً جديداً.
2. حدّد موقف المقال وكل تعليق من كل ادعاء: يؤيد، يعارض، يناقش، غير ذي صلة.
3. علّم عبارة واحدة على الأقل تبرّر كل موقف.

Mark every checkable claim about the dam, then the stance of the article and of each comment.
"""


def ensure_demo_campaign():
    """An active blind campaign over the demo articles for layla and omar."""
    from annotations.models import Campaign
    from annotations.services.campaigns import create_campaign, set_campaign_state
    from newsdesk.models import Article

    existing = Campaign.objects.filter(name=DEMO_CAMPAIGN).first()
    if existing is not None:
        return existing
    editor = get_user_model().objects.get(username="nadia")
    articles = list(Article.objects.filter(source__name__in=[s for s in DEMO_SOURCES.values() if s]).order_by("id").values_list("id", flat=True))
    campaign = create_campaign(
        editor=editor, name=DEMO_CAMPAIGN, guidelines=DEMO_GUIDELINES, selection={"articles": articles},
        annotators=["layla", "omar"], overlap=2, blind=True,
    )
    return set_campaign_state(editor=editor, campaign_id=campaign.id, state="active")


# Claims the demo articles make, ready to be picked from the claim list; the
# second says the first again in other words, for trying a merge.
DEMO_CLAIMS = [
    ("سد وادي السنديان سيكتمل بحلول نهاية عام 2027", "وزير المياه سامر الحداد"),
    ("اكتمال بناء السد في نهاية 2027", "وزير المياه سامر الحداد"),
    ("نسبة الإنجاز في السد تجاوزت 60 في المئة", "وزير المياه سامر الحداد"),
    ("السد سيوفر مياه الشرب لأكثر من مليون شخص", ""),
]


def ensure_demo_claims() -> list:
    """The demo claims, created by the demo editor (again: none repeated)."""
    from annotations.models import Claim
    from annotations.services.claims import create_claim

    editor = get_user_model().objects.get(username="nadia")
    claims = []
    for text, claimant in DEMO_CLAIMS:
        existing = Claim.objects.filter(text=text).first()
        claims.append(existing or create_claim(user=editor, text=text, claimant=claimant))
    return claims
