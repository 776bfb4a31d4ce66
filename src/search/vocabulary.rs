//! The product vocabulary: the few words and phrases of a query that are not part of
//! the need but say something about it — filler ("best", "near me", "i want"), price
//! ("cheap", "upscale") and amenities ("with outdoor seating", "open now").
//!
//! This is deliberately small and generic (how people phrase a local search), never a
//! list of dishes, cuisines or trades: what a word *is* in this index — a dish in its
//! reviews, a category of its businesses, part of a name — comes from the index itself
//! (see [`super::interpret`]). Phrases are matched on analysed words (folded and
//! stemmed), so "Places", "place" and "places" are one entry, and longer phrases win
//! over shorter ones ("open late" over "open").

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::analysis::Analyzer;
use crate::ingest::Amenity;

/// A price range asked for, in Yelp's `RestaurantsPriceRange2` levels (1 = `$`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceWish {
    /// Lowest level wanted.
    pub min: u8,
    /// Highest level wanted.
    pub max: u8,
}

impl PriceWish {
    /// Whether a business's price level meets the wish (unknown prices never do).
    pub fn accepts(&self, price: Option<u8>) -> bool {
        price.is_some_and(|p| (self.min..=self.max).contains(&p))
    }

    /// The wish as dollar signs: `$`, `$$$–$$$$`.
    pub fn label(&self) -> String {
        let d = |n: u8| "$".repeat(n as usize);
        if self.min == self.max {
            d(self.min)
        } else {
            format!("{}–{}", d(self.min), d(self.max))
        }
    }
}

/// What a vocabulary phrase means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// Says how good or where, never what: dropped from the need, never a filter.
    Filler,
    /// A kind of place ("restaurant", "spot", "shop"): dropped from the need unless
    /// nothing else is asked for ("restaurants" alone looks for the category).
    Place,
    /// A price range.
    Price(PriceWish),
    /// An amenity from the business's attributes or hours.
    Amenity(Amenity),
    /// Open at the time of the search.
    OpenNow,
    /// A meal ("dinner", "lunch"): set aside after the need ("pizza dinner"), part of
    /// it before another word ("lunch specials"), the need alone.
    Meal,
}

const CHEAP: PriceWish = PriceWish { min: 1, max: 1 };
const MIDDLE: PriceWish = PriceWish { min: 2, max: 2 };
const UPSCALE: PriceWish = PriceWish { min: 3, max: 4 };

/// The phrases, as written; analysed once into [`Vocabulary`].
const PHRASES: &[(&str, Meaning)] = &[
    // How good.
    ("best", Meaning::Filler),
    ("the best", Meaning::Filler),
    ("good", Meaning::Filler),
    ("great", Meaning::Filler),
    ("top", Meaning::Filler),
    ("top rated", Meaning::Filler),
    ("highly rated", Meaning::Filler),
    ("well reviewed", Meaning::Filler),
    ("amazing", Meaning::Filler),
    ("awesome", Meaning::Filler),
    ("excellent", Meaning::Filler),
    ("delicious", Meaning::Filler),
    ("tasty", Meaning::Filler),
    ("yummy", Meaning::Filler),
    ("decent", Meaning::Filler),
    ("nice", Meaning::Filler),
    ("favorite", Meaning::Filler),
    ("favourite", Meaning::Filler),
    ("popular", Meaning::Filler),
    ("recommended", Meaning::Filler),
    ("must try", Meaning::Filler),
    ("must have", Meaning::Filler),
    ("worth trying", Meaning::Filler),
    ("worth it", Meaning::Filler),
    ("legit", Meaning::Filler),
    ("solid", Meaning::Filler),
    ("fantastic", Meaning::Filler),
    ("incredible", Meaning::Filler),
    ("outstanding", Meaning::Filler),
    ("perfect", Meaning::Filler),
    ("top notch", Meaning::Filler),
    ("high quality", Meaning::Filler),
    ("quality", Meaning::Filler),
    ("rated", Meaning::Filler),
    ("best rated", Meaning::Filler),
    ("highest rated", Meaning::Filler),
    ("well rated", Meaning::Filler),
    ("5 star", Meaning::Filler),
    ("5 stars", Meaning::Filler),
    ("five star", Meaning::Filler),
    ("five stars", Meaning::Filler),
    ("4 star", Meaning::Filler),
    ("four star", Meaning::Filler),
    ("most", Meaning::Filler),
    ("ever", Meaning::Filler),
    ("of all time", Meaning::Filler),
    ("in the world", Meaning::Filler),
    ("hands down", Meaning::Filler),
    ("number one", Meaning::Filler),
    ("top ten", Meaning::Filler),
    ("top five", Meaning::Filler),
    ("killer", Meaning::Filler),
    ("epic", Meaning::Filler),
    ("bomb", Meaning::Filler),
    ("the bomb", Meaning::Filler),
    ("to die for", Meaning::Filler),
    ("out of this world", Meaning::Filler),
    ("mouth watering", Meaning::Filler),
    ("phenomenal", Meaning::Filler),
    ("superb", Meaning::Filler),
    ("terrific", Meaning::Filler),
    ("wonderful", Meaning::Filler),
    ("stellar", Meaning::Filler),
    ("exceptional", Meaning::Filler),
    ("fabulous", Meaning::Filler),
    ("unbelievable", Meaning::Filler),
    ("finest", Meaning::Filler),
    ("greatest", Meaning::Filler),
    ("famous", Meaning::Filler),
    ("hidden gem", Meaning::Filler),
    ("highly recommended", Meaning::Filler),
    ("award winning", Meaning::Filler),
    ("go to", Meaning::Filler),
    ("lovers", Meaning::Filler),
    ("lover", Meaning::Filler),
    // How much ("really good", "very tasty").
    ("really", Meaning::Filler),
    ("very", Meaning::Filler),
    ("super", Meaning::Filler),
    ("truly", Meaning::Filler),
    ("pretty", Meaning::Filler),
    ("so", Meaning::Filler),
    // Where.
    ("near me", Meaning::Filler),
    ("nearby", Meaning::Filler),
    ("near by", Meaning::Filler),
    ("near here", Meaning::Filler),
    ("close by", Meaning::Filler),
    ("close to me", Meaning::Filler),
    ("around here", Meaning::Filler),
    ("around me", Meaning::Filler),
    ("in the area", Meaning::Filler),
    ("in town", Meaning::Filler),
    ("nearest", Meaning::Filler),
    ("closest", Meaning::Filler),
    ("near to me", Meaning::Filler),
    ("nearest to me", Meaning::Filler),
    ("closest to me", Meaning::Filler),
    ("around the corner", Meaning::Filler),
    // When.
    ("dinner", Meaning::Meal),
    ("lunch", Meaning::Meal),
    ("local", Meaning::Filler),
    ("around", Meaning::Filler),
    ("near", Meaning::Filler),
    ("in the city", Meaning::Filler),
    ("in this city", Meaning::Filler),
    ("around town", Meaning::Filler),
    ("in the neighborhood", Meaning::Filler),
    ("in my neighborhood", Meaning::Filler),
    ("in the neighbourhood", Meaning::Filler),
    ("in my neighbourhood", Meaning::Filler),
    ("in my area", Meaning::Filler),
    ("walking distance", Meaning::Filler),
    ("within walking distance", Meaning::Filler),
    ("in this area", Meaning::Filler),
    // Wanting and looking.
    ("i want", Meaning::Filler),
    ("want", Meaning::Filler),
    ("i need", Meaning::Filler),
    ("would like", Meaning::Filler),
    ("i would like", Meaning::Filler),
    ("i'd like", Meaning::Filler),
    ("id like", Meaning::Filler),
    ("feel like", Meaning::Filler),
    ("feeling like", Meaning::Filler),
    ("i feel like", Meaning::Filler),
    ("in the mood for", Meaning::Filler),
    ("with friends", Meaning::Filler),
    ("need", Meaning::Filler),
    ("in need of", Meaning::Filler),
    ("i love", Meaning::Filler),
    ("love", Meaning::Filler),
    ("would love", Meaning::Filler),
    ("i would love", Meaning::Filler),
    ("i'd love", Meaning::Filler),
    ("hungry", Meaning::Filler),
    ("hungry for", Meaning::Filler),
    ("starving", Meaning::Filler),
    ("starving for", Meaning::Filler),
    ("order", Meaning::Filler),
    ("to order", Meaning::Filler),
    ("let's get", Meaning::Filler),
    ("lets get", Meaning::Filler),
    ("craving", Meaning::Filler),
    ("looking for", Meaning::Filler),
    ("look for", Meaning::Filler),
    ("searching for", Meaning::Filler),
    ("where to get", Meaning::Filler),
    ("where can i get", Meaning::Filler),
    ("where can i find", Meaning::Filler),
    ("where to find", Meaning::Filler),
    ("where to eat", Meaning::Filler),
    ("where to go", Meaning::Filler),
    ("find", Meaning::Filler),
    ("find me", Meaning::Filler),
    ("show me", Meaning::Filler),
    ("get", Meaning::Filler),
    ("recommend", Meaning::Filler),
    ("recommendation", Meaning::Filler),
    ("suggestion", Meaning::Filler),
    ("option", Meaning::Filler),
    ("some", Meaning::Filler),
    ("serving", Meaning::Filler),
    ("serve", Meaning::Filler),
    ("that serve", Meaning::Filler),
    ("that has", Meaning::Filler),
    ("that have", Meaning::Filler),
    ("to eat", Meaning::Filler),
    ("eat", Meaning::Filler),
    ("grab", Meaning::Filler),
    ("tonight", Meaning::Filler),
    ("today", Meaning::Filler),
    ("now", Meaning::Filler),
    ("right now", Meaning::Filler),
    ("asap", Meaning::Filler),
    ("that's", Meaning::Filler),
    ("thats", Meaning::Filler),
    ("which has", Meaning::Filler),
    ("i'm", Meaning::Filler),
    ("im", Meaning::Filler),
    ("i am", Meaning::Filler),
    ("we want", Meaning::Filler),
    ("where's", Meaning::Filler),
    ("wheres", Meaning::Filler),
    ("what's", Meaning::Filler),
    ("whats", Meaning::Filler),
    ("who has", Meaning::Filler),
    ("who makes", Meaning::Filler),
    ("who serves", Meaning::Filler),
    ("anyone", Meaning::Filler),
    ("any", Meaning::Filler),
    ("please", Meaning::Filler),
    ("pls", Meaning::Filler),
    ("plz", Meaning::Filler),
    ("somewhere", Meaning::Filler),
    ("anywhere", Meaning::Filler),
    ("for dinner", Meaning::Filler),
    ("for lunch", Meaning::Filler),
    ("for breakfast", Meaning::Filler),
    ("to try", Meaning::Filler),
    ("try", Meaning::Filler),
    ("available", Meaning::Filler),
    ("but", Meaning::Filler),
    ("w", Meaning::Filler),
    // What is wanted of a place, after its name ("joe's pizza menu").
    ("menu", Meaning::Filler),
    ("opening hours", Meaning::Filler),
    ("business hours", Meaning::Filler),
    ("store hours", Meaning::Filler),
    ("hours of operation", Meaning::Filler),
    ("review", Meaning::Filler),
    ("reviews and ratings", Meaning::Filler),
    ("rating", Meaning::Filler),
    ("ratings", Meaning::Filler),
    ("phone", Meaning::Filler),
    ("phone number", Meaning::Filler),
    ("telephone", Meaning::Filler),
    ("address", Meaning::Filler),
    ("location", Meaning::Filler),
    ("directions", Meaning::Filler),
    ("website", Meaning::Filler),
    ("yelp", Meaning::Filler),
    ("prices", Meaning::Filler),
    ("photos", Meaning::Filler),
    ("pictures", Meaning::Filler),
    ("order online", Meaning::Filler),
    ("online", Meaning::Filler),
    ("contact", Meaning::Filler),
    ("info", Meaning::Filler),
    ("coupons", Meaning::Filler),
    // Kinds of place.
    ("place", Meaning::Place),
    ("cuisine", Meaning::Place),
    ("places to eat", Meaning::Place),
    ("spot", Meaning::Place),
    ("restaurant", Meaning::Place),
    ("joint", Meaning::Place),
    ("shop", Meaning::Place),
    ("eatery", Meaning::Place),
    ("food", Meaning::Place),
    ("store", Meaning::Place),
    ("dining", Meaning::Place),
    ("parlor", Meaning::Place),
    ("parlour", Meaning::Place),
    ("stand", Meaning::Place),
    ("studio", Meaning::Place),
    ("center", Meaning::Place),
    ("centre", Meaning::Place),
    ("clinic", Meaning::Place),
    ("office", Meaning::Place),
    ("classes", Meaning::Place),
    ("services", Meaning::Place),
    // Price.
    ("cheap", Meaning::Price(CHEAP)),
    ("cheap eats", Meaning::Price(CHEAP)),
    ("inexpensive", Meaning::Price(CHEAP)),
    ("not expensive", Meaning::Price(CHEAP)),
    ("affordable", Meaning::Price(CHEAP)),
    ("budget", Meaning::Price(CHEAP)),
    ("on a budget", Meaning::Price(CHEAP)),
    ("low cost", Meaning::Price(CHEAP)),
    ("low price", Meaning::Price(CHEAP)),
    ("reasonably priced", Meaning::Price(CHEAP)),
    ("cheapest", Meaning::Price(CHEAP)),
    ("cheaper", Meaning::Price(CHEAP)),
    ("least expensive", Meaning::Price(CHEAP)),
    ("not too expensive", Meaning::Price(CHEAP)),
    ("not so expensive", Meaning::Price(CHEAP)),
    ("not that expensive", Meaning::Price(CHEAP)),
    ("budget friendly", Meaning::Price(CHEAP)),
    ("wallet friendly", Meaning::Price(CHEAP)),
    ("good value", Meaning::Price(CHEAP)),
    ("value", Meaning::Price(CHEAP)),
    ("deal", Meaning::Price(CHEAP)),
    ("great deal", Meaning::Price(CHEAP)),
    ("good deal", Meaning::Price(CHEAP)),
    ("break the bank", Meaning::Price(CHEAP)),
    ("won't break the bank", Meaning::Price(CHEAP)),
    ("wont break the bank", Meaning::Price(CHEAP)),
    ("without breaking the bank", Meaning::Price(CHEAP)),
    ("without spending much", Meaning::Price(CHEAP)),
    ("without spending a lot", Meaning::Price(CHEAP)),
    ("cheep", Meaning::Price(CHEAP)),
    ("great value", Meaning::Price(CHEAP)),
    ("value for money", Meaning::Price(CHEAP)),
    ("bang for the buck", Meaning::Price(CHEAP)),
    ("dirt cheap", Meaning::Price(CHEAP)),
    ("cheap and cheerful", Meaning::Price(CHEAP)),
    ("economical", Meaning::Price(CHEAP)),
    ("bargain", Meaning::Price(CHEAP)),
    ("low priced", Meaning::Price(CHEAP)),
    ("not pricey", Meaning::Price(CHEAP)),
    ("not too pricey", Meaning::Price(CHEAP)),
    ("not very expensive", Meaning::Price(CHEAP)),
    ("good prices", Meaning::Price(CHEAP)),
    ("great prices", Meaning::Price(CHEAP)),
    ("low prices", Meaning::Price(CHEAP)),
    ("fair prices", Meaning::Price(CHEAP)),
    ("reasonable prices", Meaning::Price(CHEAP)),
    ("moderately priced", Meaning::Price(MIDDLE)),
    ("mid priced", Meaning::Price(MIDDLE)),
    ("mid range", Meaning::Price(MIDDLE)),
    ("midrange", Meaning::Price(MIDDLE)),
    ("moderate", Meaning::Price(MIDDLE)),
    ("moderate prices", Meaning::Price(MIDDLE)),
    ("upscale", Meaning::Price(UPSCALE)),
    ("fancy", Meaning::Price(UPSCALE)),
    ("expensive", Meaning::Price(UPSCALE)),
    ("high end", Meaning::Price(UPSCALE)),
    ("fine dining", Meaning::Price(UPSCALE)),
    ("splurge", Meaning::Price(UPSCALE)),
    ("pricey", Meaning::Price(UPSCALE)),
    ("pricy", Meaning::Price(UPSCALE)),
    ("luxury", Meaning::Price(UPSCALE)),
    ("luxurious", Meaning::Price(UPSCALE)),
    ("posh", Meaning::Price(UPSCALE)),
    ("swanky", Meaning::Price(UPSCALE)),
    ("upmarket", Meaning::Price(UPSCALE)),
    // Amenities.
    ("outdoor seating", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outside seating", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outdoor", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outdoors", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outside", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("patio", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("terrace", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("al fresco", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("alfresco", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("open air", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outdoor space", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outside space", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("with a garden", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("garden seating", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("with a deck", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("on the deck", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outdoor deck", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("with a porch", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("on the porch", Meaning::Amenity(Amenity::OutdoorSeating)),
    (
        "with a courtyard",
        Meaning::Amenity(Amenity::OutdoorSeating),
    ),
    (
        "courtyard seating",
        Meaning::Amenity(Amenity::OutdoorSeating),
    ),
    ("outdoor dining", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("eat outside", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("sit outdoors", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("sit outside", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("patio seating", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outdoor patio", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("seating outside", Meaning::Amenity(Amenity::OutdoorSeating)),
    (
        "seating outdoors",
        Meaning::Amenity(Amenity::OutdoorSeating),
    ),
    ("outdoor tables", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outside tables", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("tables outside", Meaning::Amenity(Amenity::OutdoorSeating)),
    (
        "sidewalk seating",
        Meaning::Amenity(Amenity::OutdoorSeating),
    ),
    ("sidewalk tables", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("rooftop", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("rooftop patio", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("outdoor area", Meaning::Amenity(Amenity::OutdoorSeating)),
    ("wifi", Meaning::Amenity(Amenity::FreeWifi)),
    ("wi fi", Meaning::Amenity(Amenity::FreeWifi)),
    ("free wifi", Meaning::Amenity(Amenity::FreeWifi)),
    ("free wi fi", Meaning::Amenity(Amenity::FreeWifi)),
    ("romantic", Meaning::Amenity(Amenity::Romantic)),
    ("date night", Meaning::Amenity(Amenity::Romantic)),
    ("for a date", Meaning::Amenity(Amenity::Romantic)),
    ("intimate", Meaning::Amenity(Amenity::Intimate)),
    ("cozy", Meaning::Amenity(Amenity::Intimate)),
    ("classy", Meaning::Amenity(Amenity::Classy)),
    ("elegant", Meaning::Amenity(Amenity::Classy)),
    ("hipster", Meaning::Amenity(Amenity::Hipster)),
    ("hip", Meaning::Amenity(Amenity::Hipster)),
    ("trendy", Meaning::Amenity(Amenity::Trendy)),
    ("casual", Meaning::Amenity(Amenity::Casual)),
    ("laid back", Meaning::Amenity(Amenity::Casual)),
    ("divey", Meaning::Amenity(Amenity::Divey)),
    ("touristy", Meaning::Amenity(Amenity::Touristy)),
    ("internet", Meaning::Amenity(Amenity::FreeWifi)),
    ("full bar", Meaning::Amenity(Amenity::FullBar)),
    ("serves alcohol", Meaning::Amenity(Amenity::Alcohol)),
    ("alcohol", Meaning::Amenity(Amenity::Alcohol)),
    ("takeout", Meaning::Amenity(Amenity::TakeOut)),
    ("take out", Meaning::Amenity(Amenity::TakeOut)),
    ("to go", Meaning::Amenity(Amenity::TakeOut)),
    ("carryout", Meaning::Amenity(Amenity::TakeOut)),
    ("carry out", Meaning::Amenity(Amenity::TakeOut)),
    ("delivery", Meaning::Amenity(Amenity::Delivery)),
    ("deliver", Meaning::Amenity(Amenity::Delivery)),
    ("kid friendly", Meaning::Amenity(Amenity::KidFriendly)),
    ("kids", Meaning::Amenity(Amenity::KidFriendly)),
    ("for kids", Meaning::Amenity(Amenity::KidFriendly)),
    ("good for kids", Meaning::Amenity(Amenity::KidFriendly)),
    ("child friendly", Meaning::Amenity(Amenity::KidFriendly)),
    ("family friendly", Meaning::Amenity(Amenity::KidFriendly)),
    ("reservations", Meaning::Amenity(Amenity::Reservations)),
    (
        "takes reservations",
        Meaning::Amenity(Amenity::Reservations),
    ),
    (
        "wheelchair",
        Meaning::Amenity(Amenity::WheelchairAccessible),
    ),
    (
        "wheelchair accessible",
        Meaning::Amenity(Amenity::WheelchairAccessible),
    ),
    (
        "accessible",
        Meaning::Amenity(Amenity::WheelchairAccessible),
    ),
    ("dog friendly", Meaning::Amenity(Amenity::DogsAllowed)),
    ("dogs allowed", Meaning::Amenity(Amenity::DogsAllowed)),
    ("pet friendly", Meaning::Amenity(Amenity::DogsAllowed)),
    ("parking", Meaning::Amenity(Amenity::Parking)),
    ("good for groups", Meaning::Amenity(Amenity::GoodForGroups)),
    ("large groups", Meaning::Amenity(Amenity::GoodForGroups)),
    ("for a group", Meaning::Amenity(Amenity::GoodForGroups)),
    ("big group", Meaning::Amenity(Amenity::GoodForGroups)),
    ("for groups", Meaning::Amenity(Amenity::GoodForGroups)),
    ("open late", Meaning::Amenity(Amenity::OpenLate)),
    ("late night", Meaning::Amenity(Amenity::OpenLate)),
    ("after midnight", Meaning::Amenity(Amenity::OpenLate)),
    ("open till midnight", Meaning::Amenity(Amenity::OpenLate)),
    ("open until midnight", Meaning::Amenity(Amenity::OpenLate)),
    ("open past midnight", Meaning::Amenity(Amenity::OpenLate)),
    ("open all night", Meaning::Amenity(Amenity::OpenLate)),
    ("open 24 hours", Meaning::Amenity(Amenity::OpenLate)),
    ("24 hours", Meaning::Amenity(Amenity::OpenLate)),
    ("happy hour", Meaning::Amenity(Amenity::HappyHour)),
    ("open now", Meaning::OpenNow),
    ("open right now", Meaning::OpenNow),
    ("currently open", Meaning::OpenNow),
    ("still open", Meaning::OpenNow),
    ("open", Meaning::OpenNow),
];

/// Longest phrase, in words.
const MAX_PHRASE_WORDS: usize = 4;

/// The analysed phrase table.
pub struct Vocabulary {
    phrases: HashMap<Vec<String>, Meaning>,
    /// Every word of four letters or more of the phrases, as written and as analysed.
    words: Vec<(&'static str, String)>,
}

/// A vocabulary phrase found in a query: the words it covers and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Index of its first word in the query's word list.
    pub start: usize,
    /// Number of words it covers.
    pub len: usize,
    /// What it means.
    pub meaning: Meaning,
}

impl Vocabulary {
    /// The vocabulary, analysed once with the default analyzer.
    pub fn get() -> &'static Vocabulary {
        static V: OnceLock<Vocabulary> = OnceLock::new();
        V.get_or_init(|| Vocabulary::new(&Analyzer::default()))
    }

    fn new(analyzer: &Analyzer) -> Vocabulary {
        let mut words: Vec<(&'static str, String)> = Vec::new();
        for (text, _) in PHRASES {
            for w in analyzer.words(text) {
                let written = &text[w.from..w.to];
                if !w.stop && written.len() >= 4 && !words.iter().any(|x| x.0 == written) {
                    words.push((written, w.term.to_string()));
                }
            }
        }
        let phrases = PHRASES
            .iter()
            .map(|(text, meaning)| {
                let stems = analyzer
                    .words(text)
                    .into_iter()
                    .map(|w| w.term.to_string())
                    .collect();
                (stems, *meaning)
            })
            .collect();
        Vocabulary { phrases, words }
    }

    /// The vocabulary word one likely slip away from `typed` (folded), as written and as
    /// analysed: an omitted, doubled or swapped letter, or a neighbouring key. None
    /// when `typed` is itself a vocabulary word ("love" is no slip for "lover").
    pub fn nearest_word(&self, typed: &str) -> Option<(&'static str, &str)> {
        if self.words.iter().any(|(w, _)| *w == typed) {
            return None;
        }
        self.words
            .iter()
            .filter_map(|(w, stem)| {
                let slip = super::typo::slip(typed, w)?;
                (slip.weight() >= super::typo::Slip::NeighbourKey.weight()).then_some((
                    slip.weight(),
                    *w,
                    stem.as_str(),
                ))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, w, stem)| (w, stem))
    }

    /// The phrases among `stems` (the query's words, stopwords included, in order),
    /// longest first from left to right; a word belongs to at most one phrase.
    pub fn find(&self, stems: &[&str]) -> Vec<Found> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < stems.len() {
            let mut hit = None;
            for len in (1..=MAX_PHRASE_WORDS.min(stems.len() - i)).rev() {
                let key: Vec<String> = stems[i..i + len].iter().map(|s| s.to_string()).collect();
                if let Some(m) = self.phrases.get(&key) {
                    hit = Some(Found {
                        start: i,
                        len,
                        meaning: *m,
                    });
                    break;
                }
            }
            match hit {
                Some(f) => {
                    i += f.len;
                    out.push(f);
                }
                None => i += 1,
            }
        }
        out
    }

    /// Every phrase with its meaning, as written.
    #[cfg(test)]
    pub fn phrases() -> impl Iterator<Item = (&'static str, Meaning)> {
        PHRASES.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(q: &str) -> Vec<(String, Meaning)> {
        let a = Analyzer::default();
        let words = a.words(q);
        let stems: Vec<&str> = words.iter().map(|w| w.term.as_str()).collect();
        Vocabulary::get()
            .find(&stems)
            .into_iter()
            .map(|f| {
                let text = q[words[f.start].from..words[f.start + f.len - 1].to].to_string();
                (text, f.meaning)
            })
            .collect()
    }

    #[test]
    fn finds_longest_phrases() {
        assert_eq!(
            find("Best cheap pasta near me"),
            [
                ("Best".to_string(), Meaning::Filler),
                ("cheap".to_string(), Meaning::Price(CHEAP)),
                ("near me".to_string(), Meaning::Filler),
            ]
        );
        assert_eq!(
            find("tacos open late with outdoor seating"),
            [
                ("open late".to_string(), Meaning::Amenity(Amenity::OpenLate)),
                (
                    "outdoor seating".to_string(),
                    Meaning::Amenity(Amenity::OutdoorSeating)
                ),
            ]
        );
        assert_eq!(
            find("pizza open till midnight"),
            [(
                "open till midnight".to_string(),
                Meaning::Amenity(Amenity::OpenLate)
            )]
        );
        assert_eq!(
            find("diner open 24 hours"),
            [(
                "open 24 hours".to_string(),
                Meaning::Amenity(Amenity::OpenLate)
            )]
        );
        assert_eq!(
            find("Restaurants"),
            [("Restaurants".to_string(), Meaning::Place)]
        );
        assert!(find("pasta").is_empty());
        assert!(find("fried chicken").is_empty());
        assert!(find("ice cream").is_empty());
    }

    #[test]
    fn every_phrase_is_found_whole() {
        let a = Analyzer::default();
        for (text, meaning) in Vocabulary::phrases() {
            let words = a.words(text);
            let stems: Vec<&str> = words.iter().map(|w| w.term.as_str()).collect();
            let found = Vocabulary::get().find(&stems);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(
                (found[0].len, found[0].meaning),
                (stems.len(), meaning),
                "{text}"
            );
        }
    }

    #[test]
    fn phrasings_people_type() {
        let f = |q: &str| find(q).into_iter().map(|(_, m)| m).collect::<Vec<_>>();
        assert_eq!(f("i'm craving pasta"), [Meaning::Filler, Meaning::Filler]);
        assert_eq!(
            f("im looking for pasta"),
            [Meaning::Filler, Meaning::Filler]
        );
        assert_eq!(f("where's good pasta"), [Meaning::Filler, Meaning::Filler]);
        assert_eq!(
            f("must try pasta for dinner"),
            [Meaning::Filler, Meaning::Filler]
        );
        // "not too expensive" is not "expensive".
        assert_eq!(f("pasta not too expensive"), [Meaning::Price(CHEAP)]);
        for q in [
            "cheapest pasta",
            "budget-friendly pasta",
            "good value pasta",
        ] {
            assert_eq!(f(q), [Meaning::Price(CHEAP)], "{q}");
        }
        assert_eq!(
            f("pasta with free wi-fi"),
            [Meaning::Amenity(Amenity::FreeWifi)]
        );
        assert_eq!(
            f("pasta outdoor dining"),
            [Meaning::Amenity(Amenity::OutdoorSeating)]
        );
        // Yelp's Ambience.
        assert_eq!(
            f("romantic italian for date night"),
            [
                Meaning::Amenity(Amenity::Romantic),
                Meaning::Amenity(Amenity::Romantic)
            ]
        );
        assert_eq!(
            f("casual classy"),
            [
                Meaning::Amenity(Amenity::Casual),
                Meaning::Amenity(Amenity::Classy)
            ]
        );
    }

    #[test]
    fn price_wishes() {
        assert!(CHEAP.accepts(Some(1)) && !CHEAP.accepts(Some(2)) && !CHEAP.accepts(None));
        assert!(UPSCALE.accepts(Some(4)) && UPSCALE.accepts(Some(3)));
        assert_eq!(CHEAP.label(), "$");
        assert_eq!(UPSCALE.label(), "$$$–$$$$");
    }
}
