#!/usr/bin/env python3
"""The free-text query sets again, in other words: a check of understanding.

`../shared/eval/freetext.py` asks "best pasta", "cheap pasta", "pasta with outdoor
seating", "thai". The product must understand how people phrase these, not that list, so
this writes the same kinds of query in other phrasings, with judgments made the same way
(PROTOCOL.md's for the dish queries; category membership and the later reviews' stars for
the category words), for `yelpsearch eval run` and `freetext.py --score`:

  intent    "top rated X", "X near me", "craving X", ...        clean judgments
  describe  "really good X", "authentic X", "fresh X", ...      clean judgments
  typo      one edit in the longest word, substitutions too     clean judgments
  typo-base the clean queries of the typo set
  slips     every such edit of the longest word, at every place   clean judgments
  slips-base  the clean query again for each of them (same weights: retention)
  cheap     "affordable X", "X on a budget", ...  clean judgments, 0 unless price $
  outdoor   "X with a patio", "X al fresco", ...  clean judgments, 0 unless OutdoorSeating
  category  "mexican restaurant", "bbq", "vet"    1 + (mean later stars >= 4) + (>= 4.5
                                                  over >= 2 reviews), members only
  name      a business's name as people type it: lowercase, without "The", without
            apostrophes, a slip in its longest word     grade 3 for it (and namesakes)
  clean     the queries as they are

Usage (QRELS_DIR is what make_qrels.py wrote):
  python3 benches/rephrase.py DATA_DIR QRELS_DIR OUT_DIR
"""

import collections
import datetime as dt
import gzip
import hashlib
import json
import sys
from pathlib import Path

INTENT = [
    "top rated {t}",
    "{t} near me",
    "where can i get {t}",
    "great {t} around here",
    "looking for {t}",
    "{t} places",
    "the best {t} in town",
    "craving {t}",
    "any good {t}?",
    "{t} spot",
    "delicious {t}",
    "find me some {t}",
]
# Words that describe the dish or say how good, some in the product's vocabulary
# ("really", "5 star"), some not ("authentic", "fresh", "homemade"): the need is the dish.
DESCRIBE = [
    "really good {t}",
    "authentic {t}",
    "fresh {t}",
    "5 star {t}",
    "best rated {t}",
    "quality {t}",
    "very good {t}",
    "homemade {t}",
]
CHEAP = [
    "inexpensive {t}",
    "{t} on a budget",
    "affordable {t}",
    "{t} cheap",
    "budget {t}",
    "{t} under $10",
    "cheap eats {t}",
    "low price {t}",
]
OUTDOOR = [
    "{t} with a patio",
    "{t} outdoor seating",
    "{t} outside",
    "outdoor {t}",
    "{t} patio",
    "{t} with seating outside",
    "{t} al fresco",
    "{t} on a terrace",
]
CATEGORIES = {
    "mexican restaurant": "Mexican",
    "japanese": "Japanese",
    "italian food": "Italian",
    "korean": "Korean",
    "indian": "Indian",
    "vietnamese": "Vietnamese",
    "mediterranean": "Mediterranean",
    "cajun": "Cajun/Creole",
    "seafood": "Seafood",
    "sushi bar": "Sushi Bars",
    "pub": "Pubs",
    "brewery": "Breweries",
    "deli": "Delis",
    "bagels": "Bagels",
    "juice bar": "Juice Bars & Smoothies",
    "bubble tea": "Bubble Tea",
    "ramen": "Ramen",
    "poke": "Poke",
    "hot dogs": "Hot Dogs",
    "bakery": "Bakeries",
    "desserts": "Desserts",
    "breakfast": "Breakfast & Brunch",
    "gym": "Gyms",
    "nail salon": "Nail Salons",
    "hair salon": "Hair Salons",
    "spa": "Beauty & Spas",
    "veterinarian": "Veterinarians",
    "vet": "Veterinarians",
    "grocery store": "Grocery",
    "dentist": "Dentists",
    "plumber": "Plumbing",
    "auto repair": "Auto Repair",
    "caterer": "Caterers",
    "movie theater": "Cinema",
    "barbecue": "Barbeque",
    "bbq": "Barbeque",
    "steak house": "Steakhouses",
    "donut shop": "Donuts",
    "cafe": "Cafes",
    "vegan": "Vegan",
    "greek food": "Greek",
    "thai restaurant": "Thai",
    "chinese food": "Chinese",
    "pizza place": "Pizza",
    "fast food": "Fast Food",
    "southern": "Southern",
    "latin american": "Latin American",
    "middle eastern": "Middle Eastern",
    "cocktail lounge": "Cocktail Bars",
    "beer bar": "Beer Bar",
    "cheesesteaks": "Cheesesteaks",
    "french restaurant": "French",
    "hawaiian food": "Hawaiian",
    "wine bars": "Wine Bars",
    "hotel": "Hotels",
    "pet store": "Pets",
    "fitness classes": "Fitness & Instruction",
}
KEYS = "qwertyuiopasdfghjklzxcvbnm"


def h(s):
    """A stable hash of a text."""
    return int(hashlib.sha1(s.encode()).hexdigest(), 16)


def typo(term):
    """One deterministic edit in the longest word, never its first letter.

    A letter dropped, swapped, doubled or replaced by its neighbour on the keyboard row;
    None if the word is too short.
    """
    words = term.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    if len(w) < 5:
        return None
    k, p = h(term + "alt") % 4, 1 + h(term + "alt-p") % (len(w) - 2)
    if k == 0:
        w2 = w[:p] + w[p + 1 :]
    elif k == 1:
        w2 = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    elif k == 2:
        w2 = w[:p] + w[p] + w[p:]
    else:
        c = KEYS.find(w[p])
        w2 = w[:p] + (KEYS[(c + 1) % 26] if c >= 0 else "e") + w[p + 1 :]
    words[i] = w2 if w2 != w else w[:p] + w[p + 1 :]
    return " ".join(words)


def slips(term):
    """Every edit of the kinds `typo` makes in the longest word, at every place.

    Never the first letter; distinct, and unlike the word. Some are words ("late",
    "desert").
    """
    words = term.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    if len(w) < 5:
        return []
    out = []
    for p in range(1, len(w) - 1):
        c = KEYS.find(w[p])
        for w2 in (
            w[:p] + w[p + 1 :],
            w[:p] + w[p + 1] + w[p] + w[p + 2 :],
            w[:p] + w[p] + w[p:],
            w[:p] + (KEYS[(c + 1) % 26] if c >= 0 else "e") + w[p + 1 :],
        ):
            if w2 != w and w2 not in out:
                out.append(w2)
    return [" ".join(words[:i] + [w2] + words[i + 1 :]) for w2 in out]


def name_as_typed(name, key):
    """A name as someone might type it.

    Lowercase, without a leading "The", without apostrophes, or with a letter left out
    of its longest word (five letters or more).
    """
    k = h(key + "name") % 4
    if k == 0:
        return name.lower()
    if k == 1 and name.lower().startswith("the "):
        return name[4:]
    if k == 2 and "'" in name:
        return name.replace("'", "")
    words = name.split()
    i = max(range(len(words)), key=lambda j: len(words[j]))
    w = words[i]
    if len(w) < 5 or not w.isalpha():
        return name.lower()
    p = 1 + h(key + "slip") % (len(w) - 2)
    words[i] = w[:p] + w[p + 1 :]
    return " ".join(words)


def zip5(z):
    """The five-digit zipcode (other postal codes as they are)."""
    z = (z or "").strip()
    return z[:5] if z[:5].isdigit() else z


def main(data, qdir, out):
    """Writes every set of OUT with its judgments."""
    out.mkdir(parents=True, exist_ok=True)
    queries = [line.rstrip("\n").split("\t") for line in open(qdir / "queries.tsv")]
    judged = collections.defaultdict(dict)
    for line in open(qdir / "qrels.tsv"):
        q, b, g = line.split()
        judged[q][b] = int(g)
    biz = {}
    for line in gzip.open(data / "business.jsonl.gz", "rt"):
        b = json.loads(line)
        biz[b["business_id"]] = b
    cut = dt.date.fromisoformat((qdir / "index_cutoff.txt").read_text().strip())
    stars = collections.defaultdict(list)
    for line in gzip.open(data / "review.jsonl.gz", "rt"):
        r = json.loads(line)
        if dt.date.fromisoformat(r["date"][:10]) >= cut:
            stars[r["business_id"]].append(r["stars"])

    def attr(b, k):
        return str((b.get("attributes") or {}).get(k, "")).strip("u'\"")

    def write(name, rows, qrels):
        with open(out / f"{name}.queries.tsv", "w") as f:
            f.writelines(f"{q}\t{z}\t{t}\n" for q, z, t in rows)
        with open(out / f"{name}.qrels.tsv", "w") as f:
            for q, _, _ in rows:
                f.writelines(f"{q}\t{b}\t{g}\n" for b, g in qrels.get(q, {}).items())

    def pick(q, forms):
        return forms[h(q) % len(forms)]

    write("clean", queries, judged)
    typos = [(q, z, typo(t)) for q, z, t in queries if typo(t)]
    write("typo", typos, judged)
    write("typo-base", [(q, z, t) for q, z, t in queries if typo(t)], judged)
    every = [(f"{q}-s{k}", q, z, t, v) for q, z, t in queries for k, v in enumerate(slips(t))]
    every_judged = {e[0]: judged[e[1]] for e in every}
    write("slips", [(e[0], e[2], e[4]) for e in every], every_judged)
    write("slips-base", [(e[0], e[2], e[3]) for e in every], every_judged)
    write("intent", [(q, z, pick(q, INTENT).format(t=t)) for q, z, t in queries], judged)
    write(
        "describe",
        [(q, z, pick(q + "describe", DESCRIBE).format(t=t)) for q, z, t in queries],
        judged,
    )
    for name, key, val, forms in [
        ("cheap", "RestaurantsPriceRange2", "1", CHEAP),
        ("outdoor", "OutdoorSeating", "True", OUTDOOR),
    ]:
        rows, qr = [], {}
        for q, z, t in queries:
            g = {b: v for b, v in judged[q].items() if attr(biz[b], key) == val}
            if any(v >= 2 for v in g.values()):
                rows.append((q, z, pick(q, forms).format(t=t)))
                qr[q] = g
        write(name, rows, qr)
    by_zip = collections.defaultdict(list)
    for b in biz.values():
        if zip5(b.get("postal_code")):
            by_zip[zip5(b.get("postal_code"))].append(b)
    rows, qr = [], {}
    for z in sorted({z for _, z, _ in queries}):
        for word, cat in CATEGORIES.items():
            members = [
                b
                for b in by_zip[z]
                if cat in [c.strip() for c in (b.get("categories") or "").split(",")]
            ]
            if len(members) < 3:
                continue
            qid = f"c-{z}-{word.replace(' ', '_')}"
            g = {}
            for b in members:
                s = stars[b["business_id"]]
                m = sum(s) / len(s) if s else 0
                g[b["business_id"]] = 1 + (m >= 4) + (m >= 4.5 and len(s) >= 2)
            rows.append((qid, z, word))
            qr[qid] = g
    write("category", sorted(rows, key=lambda r: h(r[0]))[:500], qr)
    rows, qr = [], {}
    for z in sorted({z for _, z, _ in queries}):
        named = collections.defaultdict(list)
        for b in by_zip[z]:
            named[b["name"]].append(b["business_id"])
        for name in sorted(named, key=lambda n: h("rephrase" + z + n))[:4]:
            qid = f"n-{z}-{h(name) % 10**8}"
            rows.append((qid, z, name_as_typed(name, qid)))
            qr[qid] = {b: 3 for b in named[name]}
    write("name", rows, qr)
    print(
        f"wrote {out}: "
        + ", ".join(
            f"{p.name.split('.')[0]} {sum(1 for _ in open(p))}"
            for p in sorted(out.glob("*.queries.tsv"))
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
