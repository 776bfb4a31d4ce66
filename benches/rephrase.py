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
  every-intent, every-cheap, every-outdoor, every-category, every-name
            every phrasing of a longer list with every query it applies to (qid~k is
            phrasing k; each set's reference is clean, cheap, outdoor, category, name;
            every-name asks what people ask of a place: "menu", "phone number", ...)

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
# Each of these is asked with every query it applies to (the `every-*` sets), so that
# a phrasing the product misreads shows as its own loss (`benches/phrasings.py` prints
# each one's score beside its reference).
EVERY_INTENT = [
    "{t} near by",
    "best {t} nearby",
    "{t} in the area",
    "{t} around me",
    "closest {t}",
    "nearest {t}",
    "best place to get {t}",
    "where do i find {t}",
    "i need {t}",
    "want {t}",
    "hungry for {t}",
    "in the mood for {t}",
    "some {t}",
    "{t} anyone?",
    "recommend a {t} place",
    "can you recommend {t}",
    "suggestions for {t}",
    "good spot for {t}",
    "favorite {t}",
    "best {t} ever",
    "the best {t} in the city",
    "highest rated {t}",
    "{t} top rated",
    "5-star {t}",
    "excellent {t}",
    "awesome {t}",
    "decent {t}",
    "{t} for lunch",
    "{t} lunch",
    "{t} dinner",
    "restaurants with {t}",
    "restaurants that serve {t}",
    "places that serve {t}",
    "places with good {t}",
    "where to find good {t}",
    '"{t}"',
    "{T}",
    "best {t} restaurant",
    "top 10 {t}",
    "#1 {t}",
    "{t} in {z}",
    "{z} {t}",
    "{t} eatery",
    "my favorite {t} place",
    "i'd love some {t}",
    "what's the best {t}",
    "{t} worth trying",
    "order {t}",
    "eat {t}",
    "{t} lovers",
    "killer {t}",
    "solid {t}",
    "the best {t} around",
    "{t}, please",
    "great {t}!",
    "local {t}",
    "{t} 2024",
]
EVERY_CHEAP = [
    "cheap {t} near me",
    "{t} that's cheap",
    "{t} deals",
    "reasonably priced {t}",
    "{t} not too expensive",
    "low-cost {t}",
    "cheapest {t}",
    "good cheap {t}",
    "{t} on the cheap",
    "budget-friendly {t}",
    "{t} under 10 dollars",
    "$ {t}",
    "{t} that won't break the bank",
    "economical {t}",
    "{t} good price",
    "affordable {t} places",
    "dirt cheap {t}",
    "cheap but good {t}",
    "chep {t}",
    "{t} cheap eats",
    "{t} without spending much",
]
EVERY_OUTDOOR = [
    "{t} outdoors",
    "{t} outdoor dining",
    "{t} patio seating",
    "{t} with outside seating",
    "{t} sit outside",
    "outdoor seating {t}",
    "patio {t}",
    "{t} on a patio",
    "{t} alfresco",
    "{t} al-fresco",
    "{t} with a terrace",
    "{t} rooftop",
    "{t} sidewalk seating",
    "{t} open air",
    "{t} with a deck",
    "outdor {t}",
    "{t} w/ patio",
    "{t} outside dining",
]
EVERY_CATEGORY = [
    "best {t}",
    "{t} near me",
    "{t} place",
    "{t} spot",
    "good {t} nearby",
    "{t} cuisine",
    "a good {t}",
    "top rated {t}",
    "where is a good {t}",
    "i need a {t}",
    "{T}",
    "{t} options",
    "closest {t}",
    "local {t}",
]
# What people ask of a place after (or around) its name.
NAME_ASKS = [
    "{t} menu",
    "{t} reviews",
    "{t} near me",
    "is {t} open",
    "{t} phone number",
    "{t} address",
    "{t} location",
    "{t} restaurant",
    "{t} yelp",
    "where is {t}",
    "{t} directions",
    "{t} website",
    "{t} prices",
    "{t} order online",
    "{t} photos",
    "{t} hours",
    "{t} gift card",
    "parking at {t}",
]
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
    # Every phrasing with every query it applies to ("qid~k": phrasing k).
    every = [
        (f"{q}~{k}", z, f.format(t=t, T=t.upper(), z=z))
        for k, f in enumerate(EVERY_INTENT)
        for q, z, t in queries
    ]
    write("every-intent", every, {e[0]: judged[e[0].split("~")[0]] for e in every})
    for name, forms in [
        ("cheap", EVERY_CHEAP),
        ("outdoor", EVERY_OUTDOOR),
        ("category", EVERY_CATEGORY),
        ("name", NAME_ASKS),
    ]:
        # The reference set's queries, with the words a phrasing is made of: the clean
        # dish for price and amenities, the category word, the name as typed (of two
        # words or more, so that what is asked of it is not the whole query).
        clean = {q: t for q, _, t in queries}
        base = [line.rstrip("\n").split("\t") for line in open(out / f"{name}.queries.tsv")]
        base = [(q, z, clean.get(q, t)) for q, z, t in base]
        if name == "name":
            base = [(q, z, t) for q, z, t in base if " " in t]
        judged_base = collections.defaultdict(dict)
        for line in open(out / f"{name}.qrels.tsv"):
            q, b, g = line.rstrip("\n").split("\t")
            judged_base[q][b] = int(g)
        rows = [
            (f"{q}~{k}", z, f.format(t=t, T=t.upper()))
            for k, f in enumerate(forms)
            for q, z, t in base
        ]
        write(f"every-{name}", rows, {r[0]: judged_base[r[0].split("~")[0]] for r in rows})
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
