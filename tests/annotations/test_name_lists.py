"""A newsroom's name list (manage.py import_names): new extractions find its
names and spellings; a bad file is refused whole, naming each line and field."""

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Entity, EntityMention
from tests.factories import make_article

pytestmark = pytest.mark.django_db

COMPANY = "بتروسال"  # a made-up company the model does not know


def write(tmp_path, text, name="names.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def import_names(*args, capsys):
    call_command("import_names", *map(str, args))
    return capsys.readouterr()


def test_listed_names_and_their_spellings_are_found_in_new_articles(tmp_path, capsys, django_capture_on_commit_callbacks):
    path = write(tmp_path, f"name,type,aliases\n{COMPANY},ORG,Petrosal|بتروسال العالمية\nحزب الخضر السوري,org,\n")
    out = import_names(path, capsys=capsys).out
    assert "Listed 2 names (2 new entities)" in out
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(
            paragraphs=(f"أعلنت و{COMPANY} أرباحها، وقال حزب الخضر السوري إنه يعارض المشروع.", "Petrosal shares rose."),
        )
    found = set(EntityMention.objects.filter(article=article).values_list("quote", "type"))
    assert {(COMPANY, "ORG"), ("حزب الخضر السوري", "ORG"), ("Petrosal", "ORG")} <= found
    company = Entity.objects.get(canonical_name=COMPANY)
    assert company.listed and EntityMention.objects.get(article=article, quote="Petrosal").entity == company


def test_importing_the_same_list_again_changes_nothing(tmp_path, capsys):
    path = write(tmp_path, f"name,type,aliases\n{COMPANY},ORG,Petrosal\n")
    import_names(path, capsys=capsys)
    before = list(Entity.objects.values_list("id", "version", "aliases"))
    assert "Listed 1 name (0 new entities)" in import_names(path, capsys=capsys).out
    assert list(Entity.objects.values_list("id", "version", "aliases")) == before


def test_replace_takes_the_names_left_out_off_the_list(tmp_path, capsys):
    import_names(write(tmp_path, f"name,type\n{COMPANY},ORG\nحزب الخضر السوري,ORG\n"), capsys=capsys)
    out = import_names("--replace", write(tmp_path, f"name,type\n{COMPANY},ORG\n", "new.csv"), capsys=capsys).out
    assert "took 1 off the list" in out
    assert set(Entity.objects.filter(listed=True).values_list("canonical_name", flat=True)) == {COMPANY}


GOOD = f"{COMPANY},ORG\n"


@pytest.mark.parametrize(
    "text, problems",
    [
        ("name,type\n" + GOOD + ",ORG\nسوريا,COUNTRY\n", [" line 3, field 'name': empty", " line 4, field 'type': COUNTRY; use PER, ORG, LOC or MISC"]),
        ("name,type\n" + GOOD + "%s,ORG\n" % ("ب" * 301), [" line 3, field 'name': 301 characters; the limit is 300"]),
        ("name,type,aliases\n" + GOOD.strip() + ",؟؟\n؟؟,ORG,\n", [" line 2, field 'aliases': '؟؟' has no letters", " line 3, field 'name': '؟؟' has no letters"]),
        ("الاسم,النوع\n" + GOOD, [" line 1: the header needs the columns name and type (and may have aliases); it has الاسم, النوع"]),
        ("name,type\n", [": no names (a header and no lines)"]),
    ],
)
def test_a_bad_list_is_refused_whole_naming_each_line_and_field(tmp_path, capsys, text, problems):
    path = write(tmp_path, text)
    with pytest.raises(CommandError, match="Nothing listed"):
        call_command("import_names", str(path))
    err = capsys.readouterr().err
    for problem in problems:
        assert f"FAILED {path}{problem}" in err
    assert not Entity.objects.exists()  # not even the good line's name


def test_a_list_that_is_not_utf8_is_refused(tmp_path, capsys):
    path = write(tmp_path, f"name,type\n{COMPANY},ORG\n", encoding="cp1256")
    with pytest.raises(CommandError):
        call_command("import_names", str(path))
    assert f"FAILED {path}: not UTF-8: invalid byte" in capsys.readouterr().err


def test_an_api_client_sees_which_entities_are_on_the_name_list(tmp_path, capsys, journalist):
    from rest_framework.test import APIClient

    import_names(write(tmp_path, f"name,type\n{COMPANY},ORG\n"), capsys=capsys)
    client = APIClient()
    client.force_authenticate(journalist)
    entities = client.get("/api/v1/entities/").json()["results"]
    assert [(entity["canonical_name"], entity["listed"]) for entity in entities] == [(COMPANY, True)]


def test_the_entity_page_says_the_name_is_on_the_list(tmp_path, capsys, client, journalist, editor):
    import_names(write(tmp_path, f"name,type,aliases\n{COMPANY},ORG,Petrosal\n"), capsys=capsys)
    client.force_login(journalist)
    page = client.get(f"/entities/{Entity.objects.get().id}/").text
    assert "في قائمة الأسماء: يُبحث عنه في كل مقال جديد." in page
    assert "Petrosal" not in page  # the list's spellings are the editors' to see, as other work in a blind campaign
    client.force_login(editor)
    assert "الكتابات التي يُبحث عنها: <bdi>بتروسال</bdi>، <bdi>Petrosal</bdi>" in client.get(f"/entities/{Entity.objects.get().id}/").text


def upload(client, text, name="names.csv", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/entities/name-list/", {"names": SimpleUploadedFile(name, text.encode(), "text/csv"), **extra}, follow=True)


def test_an_editor_loads_the_name_list_from_the_entities_page(client, editor):
    client.force_login(editor)
    assert 'id="entity-name-list"' in client.get("/entities/").text
    page = upload(client, f"name,type,aliases\n{COMPANY},ORG,Petrosal\n")
    assert page.status_code == 200
    assert "أُضيف 1 اسمًا إلى القائمة (1 كيانًا جديدًا)" in page.text
    assert Entity.objects.get(canonical_name=COMPANY).listed
    assert client.post("/entities/name-list/", {}).status_code == 400  # no file chosen


def test_a_bad_list_sent_from_the_page_names_each_problem_and_changes_nothing(client, editor):
    client.force_login(editor)
    page = upload(client, f"name,type\n{COMPANY},ORG\n,ORG\nسوريا,COUNTRY\n", name="قائمة.csv")
    assert page.status_code == 400
    assert "لم يُضف شيء إلى القائمة: في الملف 2 مشكلة." in page.text
    assert "قائمة.csv line 3, field &#x27;name&#x27;: empty" in page.text
    assert "قائمة.csv line 4, field &#x27;type&#x27;: COUNTRY" in page.text
    assert not Entity.objects.exists()


def test_only_an_editor_may_load_the_name_list(client, journalist):
    client.force_login(journalist)
    assert 'id="entity-name-list"' not in client.get("/entities/").text
    assert upload(client, f"name,type\n{COMPANY},ORG\n").status_code == 403
    assert not Entity.objects.exists()


def test_the_name_list_is_shown_whether_or_not_an_article_names_them_yet(tmp_path, capsys, client, journalist):
    from rest_framework.test import APIClient

    import_names(write(tmp_path, f"name,type\n{COMPANY},ORG\nحزب الخضر السوري,ORG\n"), capsys=capsys)
    make_article(paragraphs=("هطلت أمطار غزيرة على دمشق.",))  # names neither
    client.force_login(journalist)
    assert COMPANY not in client.get("/entities/").text  # the index lists what the texts name
    listed = client.get("/entities/", {"listed": "on"}).text
    assert COMPANY in listed and "حزب الخضر السوري" in listed and "دمشق" not in listed
    api = APIClient()
    api.force_authenticate(journalist)
    names = [entity["canonical_name"] for entity in api.get("/api/v1/entities/", {"listed": "true"}).json()["results"]]
    assert sorted(names) == sorted([COMPANY, "حزب الخضر السوري"])
