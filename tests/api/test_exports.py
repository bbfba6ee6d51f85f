"""Exports: JSON Lines (equal to the API detail), Web Annotation, CSV, Baly format."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from annotations.models import Claim, Stance
from newsdesk.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def span_of(text, phrase):
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "quote": phrase}


@pytest.fixture
def annotated(as_journalist, as_editor, claim):
    article = make_article(paragraphs=("💡 الوزير قال إن السد سيكتمل.", "وقال خبير إن الموعد غير واقعي."), comments=[("قارئ", "😡 السد لن يكتمل")])
    unannotated = make_article()
    text = article.current_revision.text
    as_journalist.post("/api/v1/mentions/", {"article": article.id, "claim": claim["id"], **span_of(text, "السد سيكتمل")}, format="json")
    comment = article.comments.get()
    as_journalist.post("/api/v1/mentions/", {"comment": comment.id, "claim": claim["id"], **span_of(comment.text, "السد لن يكتمل")}, format="json")
    as_journalist.post(
        "/api/v1/stances/",
        {"article": article.id, "claim": claim["id"], "label": "discuss", "rationales": [span_of(text, "الموعد غير واقعي")]},
        format="json",
    )
    as_journalist.post("/api/v1/stances/", {"comment": comment.id, "claim": claim["id"], "label": "disagree"}, format="json")
    as_editor.patch(f"/api/v1/claims/{claim['id']}/", {"version": 1, "verdict": "false"}, format="json")
    return article, unannotated


def stream(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def test_jsonl_export_line_equals_the_api_detail(as_api_client, annotated):
    article, unannotated = annotated
    lines = stream(as_api_client.get("/api/v1/export/articles.jsonl")).splitlines()
    assert len(lines) == 1  # only annotated articles
    exported = json.loads(lines[0])
    detail = as_api_client.get(f"/api/v1/articles/{article.id}/?expand=comments,mentions,stances,entities").json()
    assert exported == detail
    assert len(exported["mentions"]) == 2 and exported["stances"][0]["rationales"][0]["quote"] == "الموعد غير واقعي"
    everything = stream(as_api_client.get("/api/v1/export/articles.jsonl?all=true")).splitlines()
    assert {json.loads(line)["id"] for line in everything} == {article.id, unannotated.id}


def test_jsonl_export_in_utf16_shifts_offsets_after_emoji(as_api_client, annotated):
    article, _ = annotated
    code_points = json.loads(stream(as_api_client.get("/api/v1/export/articles.jsonl")))
    utf16 = json.loads(stream(as_api_client.get("/api/v1/export/articles.jsonl?offsets=utf16")))
    by_target = {m["target_type"]: m for m in code_points["mentions"]}
    js = {m["target_type"]: m for m in utf16["mentions"]}
    assert js["article"]["start"] == by_target["article"]["start"] + 1  # one 💡 before
    assert js["comment"]["start"] == by_target["comment"]["start"] + 1  # one 😡 before
    text16 = article.current_revision.text.encode("utf-16-le")
    m = js["article"]
    assert text16[m["start"] * 2 : m["end"] * 2].decode("utf-16-le") == m["quote"]


def test_web_annotation_export_has_quote_and_position_selectors(as_api_client, annotated):
    collection = json.loads(stream(as_api_client.get("/api/v1/export/annotations.jsonld")))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == 4  # two mentions, two stances
    mention = next(i for i in items if i["motivation"] == "identifying" and "/revisions/" in i["target"]["source"])
    quote, position = mention["target"]["selector"]
    assert (quote["type"], quote["exact"], quote["suffix"]) == ("TextQuoteSelector", "السد سيكتمل", ".\nوقال خبير إن الموعد غير واقعي.")
    assert quote["prefix"].endswith("الوزير قال إن ")
    assert position["type"] == "TextPositionSelector" and position["end"] - position["start"] == len("السد سيكتمل")
    stance = next(i for i in items if i["motivation"] == "assessing" and isinstance(i["target"], list))
    assert stance["body"][0] == {"type": "TextualBody", "purpose": "classifying", "value": "discuss"}
    assert stance["target"][0]["selector"][0]["exact"] == "الموعد غير واقعي"


def test_stance_table_csv(as_api_client, annotated, claim):
    text = stream(as_api_client.get("/api/v1/export/stances.csv"))
    assert text.startswith("\ufeffclaim_id,")  # the mark that tells a spreadsheet it is UTF-8
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["target_type"], r["stance"], r["annotator"]) for r in rows] == [("article", "discuss", "layla"), ("comment", "disagree", "layla")]
    assert rows[0]["claim"] == claim["text"] and rows[0]["rationale_quotes"] == "الموعد غير واقعي"
    assert rows[0]["source"] == "الواحة اليوم"


def test_stance_table_never_hands_a_spreadsheet_a_formula(as_api_client, annotated):
    stance = Stance.objects.filter(comment=None).get()
    Stance.objects.filter(pk=stance.pk).update(note='=HYPERLINK("http://evil.example","اضغط")')
    text = stream(as_api_client.get("/api/v1/export/stances.csv")).removeprefix("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["target_type"] == "article")
    assert row["note"] == '\'=HYPERLINK("http://evil.example","اضغط")'


def test_baly_export_reimports_to_the_same_claims_and_stances(as_api_client, annotated, editor, claim, tmp_path):
    exported = json.loads(stream(as_api_client.get("/api/v1/export/claims.json")))
    assert len(exported) == 1
    entry = exported[0]
    assert (entry["claim"], entry["fact"], entry["stance"]) == (claim["text"], "false", ["discuss"])
    article_text = entry["article"][0]
    assert [article_text.split("\n")[n] for n in entry["rationale"][0]] == ["وقال خبير إن الموعد غير واقعي."]

    Stance.objects.all().delete()
    from annotations.models import ClaimMention

    ClaimMention.objects.all().delete()
    Claim.objects.all().delete()
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    articles_before = Article.objects.count()
    call_command("import_baly", str(path), "--user", editor.username)
    again = json.loads(stream(as_api_client.get("/api/v1/export/claims.json")))
    strip = lambda items: [{k: v for k, v in item.items() if k != "id"} for item in items]  # noqa: E731
    assert strip(again) == strip(exported)
    assert Article.objects.count() == articles_before  # the stances went back onto the same article
    # The same file again changes nothing: its claims and stances are found, not doubled.
    state = (Claim.objects.count(), sorted(Stance.objects.values_list("id", "version")))
    call_command("import_baly", str(path), "--user", editor.username)
    assert (Claim.objects.count(), sorted(Stance.objects.values_list("id", "version"))) == state


def test_importing_an_export_over_its_own_stances_keeps_their_exact_rationales(as_api_client, annotated, journalist, tmp_path):
    stance = Stance.objects.filter(comment=None).get()
    path = tmp_path / "claims.json"
    path.write_text(stream(as_api_client.get("/api/v1/export/claims.json")), encoding="utf-8")
    call_command("import_baly", str(path), "--user", journalist.username)
    again = Stance.objects.get(pk=stance.pk)
    assert again.version == stance.version
    assert [r.quote for r in again.rationales.all()] == ["الموعد غير واقعي"]  # part of its line, as marked


def test_an_annotator_imports_claims_without_their_verdicts(journalist, tmp_path, capsys):
    data = [{"id": 1, "claim": "ادعاء جديد", "fact": "false", "article": ["عنوان\nسطر أول"], "url": ["https://a.example/9"], "stance": ["agree"], "rationale": [[1]]}]
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("import_baly", str(path), "--user", journalist.username)
    assert "1 verdicts left out" in capsys.readouterr().out
    assert Claim.objects.get().verdict == "" and Stance.objects.get().label == "agree"


@pytest.mark.parametrize(
    "url, problem",
    [([5], r"claims\[0\]\.article\[0\]: url must be a string"), (["http://[::1"], r"claims\[0\]\.article\[0\]: the url .* is not valid")],
)
def test_a_baly_entry_with_a_bad_url_is_refused_by_name(editor, tmp_path, url, problem):
    from django.core.management.base import CommandError

    data = [{"id": 1, "claim": "ادعاء", "fact": "true", "article": ["عنوان\nسطر"], "url": url, "stance": ["agree"], "rationale": [[1]]}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=problem):
        call_command("import_baly", str(path), "--user", editor.username)
    assert not Claim.objects.exists()


def test_baly_import_is_all_or_nothing_and_names_the_problem(editor, tmp_path):
    from django.core.management.base import CommandError

    data = [
        {"id": 1, "claim": "ادعاء أول", "fact": "true", "article": ["عنوان\nسطر أول"], "url": ["https://a.example/1"], "stance": ["agree"], "rationale": [[1]]},
        {"id": 2, "claim": "ادعاء ثان", "fact": "false", "article": ["عنوان آخر\nسطر"], "url": ["https://a.example/2"], "stance": ["agree"], "rationale": [[7]]},
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=r"claims\[1\]\.article\[0\]: rationale line 7 does not exist"):
        call_command("import_baly", str(path), "--user", editor.username)
    assert not Claim.objects.exists() and not Stance.objects.exists()


@pytest.mark.parametrize("fmt", ["jsonl", "jsonld", "csv", "baly"])
def test_export_command_writes_the_same_as_the_api(annotated, as_api_client, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    call_command("export", "--format", fmt, "--output", str(out), "--base-url", "http://testserver")
    written = out.read_bytes().decode("utf-8")
    paths = {
        "jsonl": "/api/v1/export/articles.jsonl",
        "jsonld": "/api/v1/export/annotations.jsonld",
        "csv": "/api/v1/export/stances.csv",
        "baly": "/api/v1/export/claims.json",
    }
    served = stream(as_api_client.get(paths[fmt]))
    if fmt == "jsonld":
        written, served = json.loads(written), json.loads(served)
        written.pop("generated"), served.pop("generated")
    assert written == served


def test_a_failed_export_leaves_the_earlier_file_as_it_was(annotated, tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    from annotations import exports

    out = tmp_path / "stances.csv"
    call_command("export", "--format", "csv", "--output", str(out))
    before = out.read_bytes()

    def broken(scope):
        yield "claim,article\n"
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "iter_stance_csv", broken)
    with pytest.raises(RuntimeError):
        call_command("export", "--format", "csv", "--output", str(out))
    assert out.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["stances.csv"]
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export", "--format", "csv", "--output", str(tmp_path / "missing" / "x.csv"))


def test_importing_an_export_as_another_user_twice_adds_their_stances_once(as_api_client, annotated, editor, tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(stream(as_api_client.get("/api/v1/export/claims.json")), encoding="utf-8")
    call_command("import_baly", str(path), "--user", editor.username)
    after_first = sorted(Stance.objects.values_list("id", "annotator_id", "version", "label"))
    path.write_text(stream(as_api_client.get("/api/v1/export/claims.json")), encoding="utf-8")
    call_command("import_baly", str(path), "--user", editor.username)
    assert sorted(Stance.objects.values_list("id", "annotator_id", "version", "label")) == after_first


def test_an_export_into_a_symlink_writes_its_target_and_a_folder_is_refused(annotated, tmp_path):
    from django.core.management.base import CommandError

    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    call_command("export", "--format", "csv", "--output", str(link))
    assert link.is_symlink()  # still the link, not a file put in its place
    assert target.read_text(encoding="utf-8-sig").startswith("claim_id,")
    with pytest.raises(CommandError, match="it is a folder"):
        call_command("export", "--format", "csv", "--output", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.csv", "real.csv"]
