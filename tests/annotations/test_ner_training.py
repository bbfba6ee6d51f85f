"""Training, evaluating and retraining entity-extraction models, on a small
ANERcorp-format corpus written here (the real corpus is not needed)."""

import pytest
from django.core.management import CommandError, call_command

from annotations.models import EntityMention, ExtractionRun, NerModel
from annotations.ner.extractor import SHIPPED_VERSION
from annotations.services.entities import add_entity_mention
from annotations.services.extraction import run_extraction
from annotations.services.ner_models import retrain_model
from tests.factories import make_article

# Sentences in the shape of ANERcorp: people after titles and verbs of saying,
# places after "في", organisations after their opening noun.
PATTERNS = [
    [("قال", "O"), ("الرئيس", "O"), ("{person}", "B-PERS"), ("في", "O"), ("{place}", "B-LOC"), (".", "O")],
    [("وزار", "O"), ("{person}", "B-PERS"), ("مدينة", "O"), ("{place}", "B-LOC"), ("امس", "O"), (".", "O")],
    [("اعلنت", "O"), ("منظمة", "B-ORG"), ("{org}", "I-ORG"), ("ان", "O"), ("{person}", "B-PERS"), ("وصل", "O"), (".", "O")],
]
PEOPLE = ["كيري", "لافروف", "بوتين", "ميركل", "عنان", "بلير"]
PLACES = ["جنيف", "موسكو", "حلب", "باريس", "القاهرة", "بغداد"]
ORGS = ["الصحة", "التجارة", "العفو", "التحرير", "الغذاء", "الطاقة"]


def write_corpus(path, repeat: int = 4) -> None:
    lines = []
    for round_number in range(repeat):
        for index, pattern in enumerate(PATTERNS * 2):
            fill = {
                "person": PEOPLE[(index + round_number) % len(PEOPLE)],
                "place": PLACES[(index * 2 + round_number) % len(PLACES)],
                "org": ORGS[(index + 2 * round_number) % len(ORGS)],
            }
            lines += [f"{token.format(**fill)} {tag}" for token, tag in pattern] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "ANERCorp_CamelLab_train.txt"
    write_corpus(path)
    return path


def test_a_trained_model_scores_its_own_corpus_well(corpus, tmp_path, capsys, db):
    model = tmp_path / "tiny.crfsuite"
    call_command("train_ner", str(corpus), output=str(model))
    assert model.stat().st_size > 0

    call_command("evaluate_ner", str(corpus), model=str(model))
    out = capsys.readouterr().out
    micro = next(line for line in out.splitlines() if line.startswith("micro"))
    precision, recall, f1 = (float(value) for value in micro.split()[1:4])
    assert f1 > 0.9, out
    assert "PERS" in out and "LOC" in out and "ORG" in out


def test_cross_validation_prints_a_score_table(corpus, capsys):
    call_command("train_ner", str(corpus), folds=2)
    out = capsys.readouterr().out
    assert "micro" in out and "precision" in out


@pytest.mark.parametrize(
    "options, problem",
    [({"folds": 1}, "at least 2 folds"), ({"folds": -1}, "at least 2 folds"), ({"output": "/no/such/folder/m.crfsuite"}, "does not exist")],
)
def test_training_options_are_checked_before_training(corpus, options, problem):
    with pytest.raises(CommandError, match=problem):
        call_command("train_ner", str(corpus), **options)


def test_evaluating_a_missing_model_file_says_so(corpus, db):
    with pytest.raises(CommandError, match="No model file /no/such.crfsuite"):
        call_command("evaluate_ner", str(corpus), model="/no/such.crfsuite")


def test_a_malformed_corpus_line_is_refused_with_file_and_line(tmp_path, db):
    bad = tmp_path / "bad.txt"
    bad.write_text("كيري B-PERS\nلافروف X-PERS\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.txt, line 2"):
        call_command("evaluate_ner", str(bad))


@pytest.mark.django_db
def test_retraining_learns_an_annotators_addition_and_new_runs_use_the_new_version(corpus, settings, tmp_path, journalist):
    settings.NEWSDESK_ANERCORP_DIR = corpus.parent
    settings.NEWSDESK_MODEL_DIR = tmp_path / "models"
    text = "قال الرئيس زعطوط في جنيف ."
    article = make_article(paragraphs=(text,), comments=[])
    first_run = ExtractionRun.objects.get(article=article)
    run_extraction(first_run.pk)
    revision = article.current_revision
    start = revision.text.index("زعطوط")
    add_entity_mention(user=journalist, entity_type="PER", start=start, end=start + 5, quote="زعطوط", revision=revision.pk)

    call_command("retrain_ner", "--now")  # what the worker's retrain task runs
    model = NerModel.objects.get()

    assert (model.corrections, model.training_sentences) == (1, 24)
    assert NerModel.objects.count() == 1 and model.version.endswith("+c1")
    again = make_article(paragraphs=(text,), comments=[])
    run = ExtractionRun.objects.get(article=again)
    assert run_extraction(run.pk) == "done"
    run.refresh_from_db()
    first_run.refresh_from_db()
    assert (first_run.extractor_version, run.extractor_version) == (SHIPPED_VERSION, model.version)
    found = set(EntityMention.objects.filter(article=again, extractor_version=model.version).values_list("quote", "type"))
    assert ("زعطوط", "PER") in found


def test_retraining_without_the_corpus_says_where_it_looked(settings, tmp_path, db):
    from annotations.services.ner_models import TrainingDataMissing

    settings.NEWSDESK_ANERCORP_DIR = tmp_path / "nowhere"
    with pytest.raises(TrainingDataMissing, match="nowhere"):
        retrain_model()
    with pytest.raises(CommandError, match="nowhere.*NEWSDESK_ANERCORP_DIR"):
        call_command("retrain_ner", "--now")


def test_evaluating_without_the_model_table_says_to_migrate(tmp_path, db):
    from django.db import connection

    corpus = tmp_path / "tiny.txt"
    write_corpus(corpus, repeat=1)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE annotations_nermodel")  # undone with the test's transaction
    with pytest.raises(CommandError, match=r"run `manage.py migrate`, or name a model file with --model"):
        call_command("evaluate_ner", str(corpus))


@pytest.mark.parametrize(
    "content, problem",
    [("", "holds 0 sentences"), ("كيري B-PERS\n\nلافروف B-PERS\n", "holds 2 sentences"), (b"\xff\xfe\x00", "not UTF-8"), ("كيري X-PERS\n", "line 1")],
)
def test_retraining_on_an_empty_or_broken_corpus_is_refused_and_makes_no_version(settings, tmp_path, db, content, problem):
    from annotations.services.ner_models import TRAIN_FILE

    settings.NEWSDESK_ANERCORP_DIR = tmp_path
    settings.NEWSDESK_MODEL_DIR = tmp_path / "models"
    path = tmp_path / TRAIN_FILE
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(CommandError, match=problem):
        call_command("retrain_ner", "--now")
    assert not NerModel.objects.exists()  # extraction keeps the model it had


@pytest.mark.django_db
def test_a_new_version_number_follows_the_highest_even_after_one_was_deleted(corpus, settings, tmp_path):
    settings.NEWSDESK_ANERCORP_DIR = corpus.parent
    settings.NEWSDESK_MODEL_DIR = tmp_path / "models"
    NerModel.objects.create(version=f"{SHIPPED_VERSION}+c2", path="/gone/c2.crfsuite", training_sentences=1, corrections=0, scores={})
    assert retrain_model().version == f"{SHIPPED_VERSION}+c3"


@pytest.mark.parametrize(
    "command, args, problem",
    [
        ("evaluate_ner", ["{latin1}"], "not UTF-8"),
        ("evaluate_ner", ["{empty}"], "holds no sentence"),
        ("evaluate_ner", ["{good}", "--model", "{notes}"], "is not a CRFsuite model"),
        ("train_ner", ["{latin1}", "--output", "{tmp}/m.crfsuite"], "not UTF-8"),
        ("train_ner", ["{empty}", "--output", "{tmp}/m.crfsuite"], "holds no sentence"),
        ("train_ner", ["{good}", "--output", "{tmp}"], "it is a folder"),
    ],
)
def test_the_ner_commands_name_a_bad_file_in_one_line(tmp_path, db, command, args, problem):
    files = {"latin1": tmp_path / "latin1.txt", "empty": tmp_path / "empty.txt", "good": tmp_path / "good.txt", "notes": tmp_path / "notes.md"}
    files["latin1"].write_bytes("Kerry B-PERS\nd\xe9j\xe0 O\n".encode("latin-1"))
    files["empty"].write_text("")
    files["good"].write_text("كيري B-PERS\n", encoding="utf-8")
    files["notes"].write_text("# not a model\n")
    names = {**{key: str(path) for key, path in files.items()}, "tmp": str(tmp_path)}
    with pytest.raises(CommandError, match=problem):
        call_command(command, *[arg.format(**names) for arg in args])
