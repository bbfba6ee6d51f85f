"""Entity extraction, run in-process: scheduling, idempotency, failures,
annotators' reviews, canonical entities, and what it finds on the seeds."""

import pytest
from django.core.management import call_command

from annotations.models import Entity, EntityMention, ExtractionRun, MentionStatus, NerModel
from annotations.services.entities import link_entities, link_entity, match_key
from annotations.services.extraction import run_extraction, run_extractions
from tests.factories import make_article

pytestmark = pytest.mark.django_db

TEXT = (
    "أعلن وزير الخارجية الأمريكي جون كيري بعد اجتماعه بنظيره الروسي سيرغي لافروف في جنيف أن الأمم المتحدة "
    "ستدعم خطة لوقف إطلاق النار في سوريا، بينما قالت جبهة النصرة إنها لن تلتزم بالهدنة في حلب."
)


@pytest.fixture
def extracted(django_capture_on_commit_callbacks):
    """An article whose extraction ran in-process when its import committed."""
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(paragraphs=(TEXT,), comments=[("قارئ", "😡 وقال لافروف إن موسكو مستعدة.")])
    return article


def machine_mentions(article):
    return EntityMention.objects.filter(article=article).order_by("revision_id", "comment_id", "start")


def test_import_records_a_run_and_extraction_fills_mentions(extracted):
    run = ExtractionRun.objects.get(article=extracted)
    assert (run.state, run.extractor_version, run.attempts) == ("done", "crf-anercorp-3", 1)
    mentions = list(machine_mentions(extracted))
    assert len(mentions) == run.mentions > 0
    text = extracted.current_revision.text
    for mention in mentions:
        source = mention.comment.text if mention.comment_id else text
        assert source[mention.start : mention.end] == mention.quote
        assert (mention.origin, mention.status, mention.entity_id is not None) == ("machine", "suggested", True)
    assert any(m.comment_id for m in mentions), "comments are extracted too"


def test_a_finished_extraction_counts_as_a_change_of_its_article_for_sync(extracted):
    run = ExtractionRun.objects.get(article=extracted)
    extracted.refresh_from_db()
    assert extracted.updated_at >= run.finished_at  # a mirror asking updated_since sees the new state


def test_running_a_run_again_gives_the_same_mentions(extracted):
    run = ExtractionRun.objects.get(article=extracted)
    before = list(machine_mentions(extracted).values_list("id", "start", "end", "type"))
    ExtractionRun.objects.filter(pk=run.pk).update(state="pending")
    assert run_extraction(run.pk) == "done"
    assert list(machine_mentions(extracted).values_list("id", "start", "end", "type")) == before
    assert run_extraction(run.pk) == "skipped"  # already done: nothing to do


def test_a_suggestion_the_extractor_no_longer_makes_goes_to_the_deletions_feed(extracted, journalist):
    from rest_framework.test import APIClient

    from annotations.models import AuditEvent

    run = ExtractionRun.objects.get(article=extracted)
    kept = machine_mentions(extracted).first()
    gone = EntityMention.objects.create(
        article=extracted, revision=extracted.current_revision, start=0, end=4, quote=extracted.current_revision.text[:4], type="MISC",
        entity=kept.entity, origin="machine", status="suggested", extractor_version=run.extractor_version,
    )
    ExtractionRun.objects.filter(pk=run.pk).update(state="pending")
    run_extraction(run.pk)
    assert not EntityMention.objects.filter(pk=gone.pk).exists()
    client = APIClient()
    client.force_authenticate(journalist)
    deletions = client.get("/api/v1/deletions/").json()["results"]
    assert {"object_type": "entity_mention", "object_id": gone.pk, "article": extracted.id} in [
        {k: d[k] for k in ("object_type", "object_id", "article")} for d in deletions
    ]
    assert AuditEvent.objects.filter(object_type="entity_mention", object_id=kept.pk).count() == 0


def test_reviews_survive_re_extraction(extracted, journalist):
    from annotations.services.entities import review_entity_mention

    first, second = machine_mentions(extracted)[:2]
    review_entity_mention(user=journalist, mention_id=first.pk, action="reject", version=first.version)
    review_entity_mention(user=journalist, mention_id=second.pk, action="retype", entity_type="MISC", version=second.version)
    run = ExtractionRun.objects.get(article=extracted)
    ExtractionRun.objects.filter(pk=run.pk).update(state="pending")
    run_extraction(run.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.type) == ("rejected", "accepted", "MISC")
    keys = list(machine_mentions(extracted).values_list("revision_id", "comment_id", "start", "end", "type"))
    assert len(keys) == len(set(keys))


def test_text_too_long_ends_as_a_failed_run_with_its_reason(settings, django_capture_on_commit_callbacks):
    settings.NEWSDESK_EXTRACTION_MAX_CHARS = 50
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(paragraphs=(TEXT,))
    run = ExtractionRun.objects.get(article=article)
    assert run.state == "failed"
    assert "characters; extraction takes at most 50" in run.error
    assert not EntityMention.objects.filter(article=article).exists()


def test_in_a_batch_a_bad_run_fails_alone_and_a_taken_one_is_skipped(settings):
    settings.NEWSDESK_EXTRACTION_MAX_CHARS = 400
    good = make_article(paragraphs=(TEXT,), comments=[])
    too_long = make_article(paragraphs=(TEXT * 3,), comments=[])
    done_already = make_article(paragraphs=(TEXT,), comments=[])
    runs = {article: ExtractionRun.objects.get(article=article) for article in (good, too_long, done_already)}
    ExtractionRun.objects.filter(pk=runs[done_already].pk).update(state="done")

    outcomes = run_extractions([run.pk for run in runs.values()])

    assert outcomes == {"done": 1, "failed": 1, "skipped": 1}
    for run in runs.values():
        run.refresh_from_db()
    assert (runs[good].state, runs[too_long].state) == ("done", "failed")
    assert "characters; extraction takes at most 400" in runs[too_long].error
    assert runs[good].mentions == machine_mentions(good).count() > 0
    assert not machine_mentions(too_long).exists() and not machine_mentions(done_already).exists()


def test_a_broken_model_version_fails_runs_and_says_why(tmp_path, django_capture_on_commit_callbacks):
    broken = tmp_path / "broken.crfsuite"
    broken.write_text("not a model", encoding="utf-8")
    NerModel.objects.create(version="broken-1", path=str(broken))
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article()
    run = ExtractionRun.objects.get(article=article)
    assert run.state == "failed" and "Invalid model file" in run.error


@pytest.mark.parametrize(
    "a, b",
    [("سيرغي لافروف", "سيرجي لافروف"), ("أوباما", "اوباما"), ("سورية", "سوريا"), ("الأمريكية", "الامريكيه")],
)
def test_spelling_variants_share_a_match_key(a, b):
    assert match_key(a) == match_key(b)


def test_one_person_under_every_spelling_and_the_surname_alone():
    full = link_entity("PER", "سيرغي لافروف")
    assert link_entity("PER", "سيرجي لافروف") == full
    assert link_entity("PER", "لافروف") == full
    assert link_entity("LOC", "لافروف") != full  # types keep entities apart
    full.refresh_from_db()
    assert full.canonical_name == "سيرغي لافروف"
    assert set(full.aliases) == {"سيرغي لافروف", "سيرجي لافروف", "لافروف"}


def test_names_linked_together_meet_the_entities_linking_one_by_one_gives(django_assert_num_queries):
    lavrov = link_entity("PER", "سيرغي لافروف")
    geneva = link_entity("LOC", "جنيف")
    names = [("PER", "سيرغي لافروف"), ("PER", "سيرجي لافروف"), ("PER", "لافروف"), ("LOC", "جنيف"), ("ORG", "الأمم المتحدة")]

    linked = link_entities(names)

    assert linked[("PER", "سيرغي لافروف")] == linked[("PER", "سيرجي لافروف")] == linked[("PER", "لافروف")] == lavrov.pk
    assert linked[("LOC", "جنيف")] == geneva.pk
    assert Entity.objects.get(pk=linked[("ORG", "الأمم المتحدة")]).canonical_name == "الأمم المتحدة"
    lavrov.refresh_from_db()
    assert set(lavrov.aliases) == {"سيرغي لافروف", "سيرجي لافروف", "لافروف"}
    with django_assert_num_queries(1):  # every spelling is known now: one read answers all
        assert link_entities(names) == linked


def test_the_extract_entities_command_reruns_a_chosen_set(extracted, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        call_command("extract_entities", "--all", "--now")
    # Run here, start to end, and never also handed to a worker that would race for it.
    assert not sent
    assert "Extracted the entities of 1 article (1 done)" in capsys.readouterr().out
    rerun = ExtractionRun.objects.filter(article=extracted).latest("id")
    assert (rerun.state, rerun.sent_at) == ("done", None)
    assert ExtractionRun.objects.filter(article=extracted).count() == 2
    call_command("extract_entities", "--source", extracted.source.slug)
    call_command("extract_entities", "--since", "2000-01-01")
    assert capsys.readouterr().out.count("Queued extraction for 1 article\n") == 2


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--since", "2024-13-45"], "is not a date"),
        (["--since", "last week"], "is not a date"),
        (["--source", "no-such-outlet"], "no outlet named 'no-such-outlet'"),
    ],
)
def test_the_extract_entities_command_names_a_bad_choice(args, problem):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=problem):
        call_command("extract_entities", *args)


@pytest.mark.seeds
def test_on_the_seeds_people_places_and_organisations_are_found_without_clitics(seeds_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_articles", str(seeds_dir))
    found = {(m.type, m.quote) for m in EntityMention.objects.all()}
    quotes = {quote for _, quote in found}
    expected = {
        "PER": ["كيري", "لافروف", "دي ميستورا"],
        "LOC": ["سوريا", "لاوس", "حلب", "جنيف", "موسكو"],
        "ORG": ["جبهة النصرة", "القاعدة", "الأمم المتحدة"],
    }
    missing = [
        (kind, name)
        for kind, names in expected.items()
        for name in names
        if not any(t == kind and name in q for t, q in found)
    ]
    assert not missing, f"not found: {missing}"
    # Spans cover the name, not the clitic in front of it.
    assert not any(q.startswith(("ولافروف", "بجبهة", "للأمم", "وكيري")) for q in quotes)
    assert Entity.objects.filter(type="PER", canonical_name__contains="لافروف").count() == 1
    assert MentionStatus.SUGGESTED in set(EntityMention.objects.values_list("status", flat=True))


@pytest.mark.parametrize(
    "sentence, kept, dropped",
    [
        ('وأوضح البيان أن "any disbursement is subject to review" بحسب نص البيان الصادر عن البنك الدولي في عمّان.',
         "عمّان", "subject to review"),
        ("وقالت شركة Apple إن مبيعاتها ارتفعت في الربع الأخير بحسب بيان الشركة.", "Apple", None),
    ],
)
def test_an_english_phrase_quoted_in_arabic_is_not_a_name_but_a_capitalised_one_can_be(sentence, kept, dropped):
    from annotations.ner.extractor import SHIPPED_MODEL, SHIPPED_VERSION, Extractor

    found = [entity.text for entity in Extractor(SHIPPED_MODEL, SHIPPED_VERSION).extract(sentence)]
    assert kept in found
    if dropped:
        assert not any(dropped in text for text in found)


@pytest.mark.parametrize(
    "text, name",
    [
        # فراس is a given name, though رأس ("head") is the commoner word here.
        ("ودعا النائب فراس الخطيب إلى تشكيل لجنة برلمانية لمتابعة المشروع. وقال إن رأس المال هرب، وإن رأس النظام مسؤول.",
         "فراس الخطيب"),
        # و + فادي: the conjunction is not part of the name, though فادي alone is rarer in the text.
        ("واستقبل الرئيس وفادي سعد وزير الخارجية في عمّان.", "فادي سعد"),
    ],
)
def test_a_known_given_name_decides_whether_its_first_letter_is_a_clitic(text, name):
    from annotations.ner.extractor import SHIPPED_MODEL, SHIPPED_VERSION, Extractor

    people = [entity.text for entity in Extractor(SHIPPED_MODEL, SHIPPED_VERSION).extract(text) if entity.type == "PER"]
    assert people[0] == name


@pytest.mark.parametrize(
    "headline, person, not_part_of_it",
    [
        # A headline names Lavrov once, with و: how rare ولافروف is in a large corpus
        # (against لافروف) says the و is the conjunction; the verb after him is not his name.
        ("كيري ولافروف يطلقان خطة لوقف العنف في سوريا", "لافروف", "يطلقان"),
        # يونس reads as a verb (تونس, يونس) but is a known name, so it stays.
        ("والتقى الرئيس بالخبير الاقتصادي محمد يونس في دكا.", "محمد يونس", None),
    ],
)
def test_a_headline_name_loses_its_clitic_and_the_verb_after_it(headline, person, not_part_of_it):
    from annotations.ner.extractor import SHIPPED_MODEL, SHIPPED_VERSION, Extractor

    people = [entity.text for entity in Extractor(SHIPPED_MODEL, SHIPPED_VERSION).extract(headline) if entity.type == "PER"]
    assert person in people
    if not_part_of_it:
        assert not any(not_part_of_it in text for text in people)


def test_the_sweep_sends_a_pending_run_again_only_once_it_has_waited_since_its_last_send(db):
    from datetime import timedelta

    from django.utils import timezone

    from annotations.services.extraction import sweep_runs

    article = make_article()
    run = ExtractionRun.objects.get(article=article)
    stale_after = timedelta(minutes=5)
    # Just sent (the worker is down, the message waits in the queue): not sent again
    # by every sweep, which would pile up copies of it for the worker to skip.
    ExtractionRun.objects.filter(pk=run.pk).update(sent_at=timezone.now() - timedelta(minutes=1), created_at=timezone.now() - timedelta(hours=1))
    assert sweep_runs(stale_after=stale_after) == 0
    # Waiting longer than that: the message was lost, send it again.
    ExtractionRun.objects.filter(pk=run.pk).update(sent_at=timezone.now() - timedelta(minutes=6))
    assert sweep_runs(stale_after=stale_after) == 1
    run.refresh_from_db()
    assert run.sent_at > timezone.now() - timedelta(minutes=1)
