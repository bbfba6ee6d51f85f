"""Word lists for NER features, from registry packages and from linguistics.

Places: CLDR territory and city names in Arabic (Babel), ISO 3166 country
names in Arabic (pycountry), and a curated list of cities and regions the
two lack (data/places_ar.txt). People: Arabic given and family names
(Faker's Arabic locales), and two larger lists derived from name data in PyPI
packages (data/person_names_*.txt, rebuilt by `manage.py build_name_lists`;
each file says where its names come from and under which licence). Cue
words: titles that precede a person's name and nouns that start an
organisation's name. How common words are: the Arramooz dictionary's
frequencies and, for names too, wordfreq's large Arabic list.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache
from pathlib import Path

from babel import Locale

from newsdesk.text import fold

DATA = Path(__file__).resolve().parent / "data"
WORLD_NAMES_FILE = DATA / "person_names_world.txt"
FOREIGN_NAMES_FILE = DATA / "person_names_foreign.txt"
_NAME_LIST_HEADERS = {
    WORLD_NAMES_FILE.name: (
        "Given names and surnames of people of Arabic-speaking and neighbouring countries, in Arabic script,",
        "one folded word (newsdesk.text.fold) per line. Derived from the name index of the PyPI package",
        "arabic-name-romanizer 0.2.0 (MIT licence), which was built from Wikidata (CC0 1.0), the Algerian",
        "Name Transcription Corpus by Taha Zerrouki (CC0 1.0) and the DziriNames benchmark (MIT licence).",
        "Rebuilt by `manage.py build_name_lists`. Used as a gazetteer feature by the entity extractor.",
    ),
    FOREIGN_NAMES_FILE.name: (
        "Names of people from outside the Arab world as Arabic writes them, one folded word per line.",
        "Derived from the English-to-Arabic name dictionary of the PyPI package arabnamer 0.1.3,",
        "(c) Elsayed Yousef, https://github.com/sayedyousef/arabnamer, licensed under CC BY 4.0",
        "(https://creativecommons.org/licenses/by/4.0/). Changes: names split into words and folded.",
        "Rebuilt by `manage.py build_name_lists`. Used as a gazetteer feature by the entity extractor.",
    ),
}

# Titles and roles that precede a person's name ("وزير الخارجية الروسي سيرغي لافروف").
PERSON_CUES = frozenset(
    fold(word)
    for word in (
        "الرئيس رئيس الوزير وزير وزيرة الوزيرة المبعوث مبعوث الأمين أمين نائب السيد السيدة الشيخ الملك الأمير "
        "الأميرة المتحدث المتحدثة الناطق النائب السفير سفير الجنرال العقيد اللواء العميد الدكتور الدكتورة "
        "المستشار المستشارة القائد قائد الزعيم زعيم المرشد الإمام البابا الرئيسة رئيسة المدير مدير الكاتب "
        "الصحفي المحلل الباحث الخبير النجم المدرب اللاعب المغني الفنان الروائي الشاعر القاضي المحامي"
    ).split()
)
# Nouns that open an organisation's name ("جبهة فتح الشام", "الهيئة العليا للمفاوضات").
ORGANISATION_CUES = frozenset(
    fold(word)
    for word in (
        "جبهة حزب حركة منظمة هيئة الهيئة مجلس المجلس وزارة الوزارة شركة الشركة اتحاد الاتحاد جامعة الجامعة "
        "وكالة الوكالة جمعية الجمعية لجنة اللجنة بنك البنك صندوق الصندوق تنظيم التنظيم جيش الجيش ائتلاف الائتلاف "
        "مؤسسة المؤسسة مركز المركز معهد المعهد محكمة المحكمة برلمان البرلمان الأمم الامم مجموعة المجموعة قوات "
        "القوات كتائب فيلق لواء نادي النادي صحيفة الصحيفة قناة القناة تحالف التحالف"
    ).split()
)
# Verbs of saying: a person's name often stands right before or after them.
SPEECH_CUES = frozenset(
    fold(word)
    for word in "قال قالت أكد أكدت أعلن أعلنت أضاف أضافت أوضح أوضحت صرح صرحت ذكر ذكرت أشار أشارت اعتبر اعتبرت رأى رأت دعا دعت".split()
)
# Words after which a place name often follows.
PLACE_CUES = frozenset(fold(word) for word in "في من إلى الى مدينة العاصمة عاصمة بلدة قرية محافظة ولاية إقليم منطقة جنوب شمال شرق غرب".split())


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Folded Arabic names of countries, regions and cities, with and without ال."""
    names: set[str] = set()
    arabic = Locale("ar")
    names.update(arabic.territories.values())
    for zone in arabic.time_zones.values():
        city = zone.get("city")
        if city:
            names.add(city)
    try:
        import pycountry

        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                value = getattr(country, attribute, None)
                if value:
                    names.add(translation.gettext(value))
    except (ImportError, OSError):  # pycountry is optional for the lexicon
        pass
    curated = DATA / "places_ar.txt"
    for line in curated.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            names.add(line.strip())
    folded: set[str] = set()
    for name in names:
        for word in fold(name).split():
            if len(word) > 2:
                folded.add(word)
                folded.add(word[2:] if word.startswith("ال") else "ال" + word)
        folded.add(fold(name))
    return frozenset(folded)


@lru_cache(maxsize=1)
def person_names() -> frozenset[str]:
    """Folded Arabic given names and family names (Faker's Arabic locales)."""
    import importlib

    names: set[str] = set()
    for locale in ("ar_AA", "ar_PS", "ar_SA", "ar_DZ"):
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attribute in ("first_names_male", "first_names_female", "last_names"):
            for name in getattr(provider, attribute, ()):
                for word in fold(name).split():
                    if len(word) > 2 and word not in ("ابو", "بن", "عبد", "ال"):
                        names.add(word)
    return frozenset(names)


@lru_cache(maxsize=1)
def name_words() -> frozenset[str]:
    """Every folded word known as part of a person's name: Arabic given names and
    family names, and those of the Arab world and its neighbours."""
    return person_names() | world_names()


_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]{2,}")


def write_word_list(path: Path, words: set[str]) -> int:
    """Write the Arabic-script words of `words` (folded) with the list's provenance
    header; returns how many it kept."""
    kept = sorted(word for word in words if _ARABIC_WORD.fullmatch(word))
    header = "".join(f"# {line}\n" for line in _NAME_LIST_HEADERS[path.name])
    path.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
    return len(kept)


def _read_word_list(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def world_names() -> frozenset[str]:
    """Folded given names and surnames of the Arab world and its neighbours."""
    return _read_word_list(WORLD_NAMES_FILE)


@lru_cache(maxsize=1)
def foreign_names() -> frozenset[str]:
    """Folded words of foreign people's names as Arabic writes them."""
    return _read_word_list(FOREIGN_NAMES_FILE)


@lru_cache(maxsize=1)
def arabic_words() -> tuple[dict[str, int], frozenset[str], frozenset[str]]:
    """From the Arramooz dictionary (PyPI arramooz-pysqlite): word frequencies
    in a large corpus (folded word → log10 frequency), the dictionary's noun and
    verb forms, and stopwords. Ordinary words are seldom names."""
    import sqlite3
    from importlib.resources import files

    data = files("arramooz") / "data"
    frequency: dict[str, int] = {}
    with sqlite3.connect(f"file:{data / 'wordfreq.sqlite'}?mode=ro", uri=True) as db:
        for word, count in db.execute("SELECT unvocalized, freq FROM wordfreq"):
            key = fold(word)
            frequency[key] = max(frequency.get(key, 0), len(str(max(int(count or 0), 1))))
    words: set[str] = set()
    with sqlite3.connect(f"file:{data / 'arabicdictionary.sqlite'}?mode=ro", uri=True) as db:
        for (word,) in db.execute("SELECT unvocalized FROM nouns UNION SELECT unvocalized FROM verbs"):
            words.add(fold(word))
    stop: set[str] = set()
    with sqlite3.connect(f"file:{data / 'stopwords.sqlite'}?mode=ro", uri=True) as db:
        for (word,) in db.execute("SELECT UNVOCALIZED FROM STOPWORDS"):
            stop.add(fold(word))
    return frequency, frozenset(words), frozenset(stop)


# Words rarer than this (in centibels below 1: one in 30 million) are left
# out of `corpus_frequencies`: they tell little and would double its memory.
RAREST_CORPUS_WORD = 750


@lru_cache(maxsize=1)
def corpus_frequencies() -> dict[str, int]:
    """How common each folded word is in a large body of Arabic text (the
    "large" Arabic list of PyPI wordfreq: Wikipedia, news, subtitles, the web),
    in centibels below 1: 300 is one word in a thousand, 700 one in ten
    million. Unlike Arramooz's it counts names too. The commonest spelling
    that folds to a word gives its figure."""
    import wordfreq

    frequencies: dict[str, int] = {}
    path = wordfreq.available_languages("large")["ar"]
    for centibels, words in enumerate(wordfreq.read_cBpack(path)[:RAREST_CORPUS_WORD]):
        for word in words:
            frequencies.setdefault(fold(word), centibels)
    return frequencies
