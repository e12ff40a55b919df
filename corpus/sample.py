"""The project's own demo news: seeded, with fixed dates, marked as synthetic.

It writes scraped-page files (with brief sections) and an Atom feed from outlet
"Demo Wire", so a fresh instance has something to search without outside data.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

SEED = 20250101
OUTLET = "Demo Wire"
FEED_URL = "https://demo-wire.example/"
START = datetime(2025, 1, 6, 8, 0, tzinfo=timezone.utc)
PAGES = 30
FEED_ENTRIES = 200

COUNTRIES = ["Iran", "Syria", "Iraq", "Lebanon", "Jordan", "Egypt", "Turkey", "Israel",
             "Saudi Arabia", "Qatar", "France", "Germany", "Russia", "China", "Ukraine",
             "the United States", "the United Kingdom", "Afghanistan", "Pakistan", "Yemen"]
PEOPLE = ["Leila Farahani", "Omar Haddad", "Claire Morel", "Daniel Brooks", "Samir Nasser",
          "Anna Keller", "Reza Tavakoli", "Mona Saleh", "Viktor Orlov", "Grace Liu"]
ROLES = ["foreign minister", "central bank governor", "army chief of staff",
         "trade minister", "opposition leader", "UN envoy"]
ORGS = ["United Nations", "World Bank", "Amnesty International", "International Monetary Fund",
        "Red Crescent Society", "World Health Organization"]
TOPICS = [("oil exports", "barrels a day"), ("wheat imports", "tonnes a month"),
          ("refugee returns", "families"), ("currency reserves", "billion dollars"),
          ("power cuts", "hours a day"), ("border crossings", "trucks a day")]
EVENTS = ["sign a trade pact", "hold talks on {topic}", "trade accusations over {topic}",
          "agree a ceasefire plan", "announce new sanctions", "reopen border crossings"]
FOREIGN = [
    ("fa", "گزارش آزمایشی: وزیر امور خارجه {country_fa} درباره صادرات نفت سخن گفت",
     "این یک متن نمایشی است. وزیر امور خارجه درباره صادرات نفت و تحریم‌ها "
     "با خبرنگاران گفت‌وگو کرد و گفت مذاکرات ادامه دارد."),
    ("ar", "تقرير تجريبي: وزير الخارجية يبحث صادرات النفط مع {country_ar}",
     "هذا نص تجريبي. بحث وزير الخارجية صادرات النفط والعقوبات مع المسؤولين "
     "وقال إن المفاوضات ستستمر خلال الأسابيع المقبلة."),
    ("fr", "Dépêche de démonstration : le ministre des affaires étrangères parle des exportations de pétrole",
     "Ceci est un texte de démonstration. Le ministre des affaires étrangères a évoqué "
     "les exportations de pétrole et les sanctions, et a déclaré que les négociations "
     "allaient se poursuivre."),
]


def write_sample(folder: Path) -> Path:
    """Write the demo pages and feed into folder (same bytes every time) and return it."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, PAGES + 1):
        (folder / f"demo-page-{number:02d}.txt").write_text(page_text(rng, number), encoding="utf-8")
    (folder / "demo-wire.atom").write_text(atom_feed(rng), encoding="utf-8")
    return folder


def story(rng: random.Random) -> tuple[str, str]:
    """Make one synthetic headline and its paragraphs."""
    first, second = rng.sample(COUNTRIES, 2)
    topic, unit = rng.choice(TOPICS)
    person, role, org = rng.choice(PEOPLE), rng.choice(ROLES), rng.choice(ORGS)
    event = rng.choice(EVENTS).format(topic=topic)
    title = f"{sentence_start(first)} and {second} {event}"
    figure = rng.randint(2, 900)
    paragraphs = [
        f"{title}, officials said, in a move the {org} described as overdue.",
        f"{person}, the {role}, told reporters that {topic} had reached {figure} {unit} "
        f"and that talks with {second} would continue next week.",
        f"Analysts in {rng.choice(COUNTRIES)} said the {org} would watch {topic} closely. "
        "This is synthetic demo text.",
    ]
    return title, "\n\n".join(paragraphs)


def sentence_start(name: str) -> str:
    """A country name opening a sentence: "the United Kingdom" -> "United Kingdom".

    Only the first letter is raised; str.capitalize would lower the rest ("United kingdom").
    """
    name = name.removeprefix("the ")
    return name[:1].upper() + name[1:]


def page_text(rng: random.Random, number: int) -> str:
    """One scraped page: title line, article, then a brief section."""
    title, body = story(rng)
    section = rng.choice(["World", "Region", "Economy"])
    briefs = [story(rng)[1].split("\n\n")[1][:150].rstrip() + "...More"
              for _ in range(rng.randint(2, 4))]
    return (f"{title} | Page {number} | {OUTLET}\n\n{title}\n\n{body}\n\n\n"
            f"{section} in Brief\n" + "\n".join(briefs) + "\n")


def atom_feed(rng: random.Random) -> str:
    """An Atom feed of dated entries, a few of them in Persian, Arabic and French."""
    entries = []
    for number in range(1, FEED_ENTRIES + 1):
        published = START + timedelta(hours=number * 19 + rng.randint(0, 6))
        if number % 10 == 0:
            lang, title, text = rng.choice(FOREIGN)
            title = title.format(country_fa="ایران", country_ar="العراق")
        else:
            lang, (title, text) = "en", story(rng)
        entries.append(atom_entry(number, published, lang, title, text))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <title>{OUTLET}</title>\n  <id>{FEED_URL}</id>\n"
            f'  <link href="{FEED_URL}"/>\n  <updated>{START.isoformat()}</updated>\n'
            + "".join(entries) + "</feed>\n")


def atom_entry(number: int, published: datetime, lang: str, title: str, text: str) -> str:
    """One Atom entry with a relative link, as real feeds often have."""
    stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'  <entry xml:lang="{lang}">\n    <title>{escape(title)}</title>\n'
            f'    <link href="stories/{number:04d}.html"/>\n'
            f"    <id>urn:demo-wire:{number}</id>\n"
            f"    <published>{stamp}</published>\n    <updated>{stamp}</updated>\n"
            f'    <content type="text">{escape(text)}</content>\n  </entry>\n')
