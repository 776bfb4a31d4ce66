//! Review text: sentence templates and the composer that strings them into a review.
//!
//! The only place a dish's hidden quality reaches the text is a *verdict* sentence, which
//! always names the dish it judges. Everything else (distractor mentions, service,
//! atmosphere, filler) is drawn independently of dish quality.

use rand::Rng;

use super::vocab::{Archetype, Class, Kind, DISHES, FIRST};

/// Template masks: which dish classes a template makes sense for.
const F: u8 = 1;
const DR: u8 = 2;
const FD: u8 = F | DR;
const ALL: u8 = 7;

/// A dish the reviewer had, with the quality they perceived this time.
#[derive(Clone, Copy, Debug)]
pub(super) struct Mention {
    /// Index into [`DISHES`].
    pub dish: usize,
    /// Perceived quality in [0, 1] (true quality plus noise).
    pub perceived: f32,
}

/// Everything the composer needs to write one review.
pub(super) struct ReviewInput<'a> {
    /// The business's archetype.
    pub arch: &'a Archetype,
    /// Dishes on the menu (indices into [`DISHES`]); empty for non-food businesses.
    pub menu: &'a [usize],
    /// Dishes the reviewer had.
    pub had: &'a [Mention],
    /// Perceived service quality in [0, 1].
    pub service: f32,
    /// The review's star rating, 1..=5.
    pub stars: u8,
    /// Something went badly wrong (the review is a 1-star rant about it).
    pub disaster: bool,
    /// Name of some other business, for "the pasta at X" distractors.
    pub other_name: &'a str,
}

/// Verdict level of a perceived quality: 0 terrible, 1 bad, 2 meh, 3 good, 4 rave.
pub(super) fn level(p: f32) -> usize {
    if p >= 0.82 {
        4
    } else if p >= 0.64 {
        3
    } else if p >= 0.46 {
        2
    } else if p >= 0.28 {
        1
    } else {
        0
    }
}

// ---------------------------------------------------------------------------------------
// Adjectives. "Plain" ones work after "pretty", "so", "really"; phrases only stand alone.
// The same adjectives are used across dishes so a model can learn them.

static FOOD_PLAIN: [&[&str]; 5] = [
    &[
        "awful",
        "terrible",
        "inedible",
        "disgusting",
        "horrible",
        "gross",
        "atrocious",
        "revolting",
        "nasty",
        "vile",
    ],
    &[
        "bland",
        "disappointing",
        "underwhelming",
        "lackluster",
        "tasteless",
        "bad",
        "subpar",
        "mediocre",
        "sad",
        "poor",
    ],
    &[
        "okay",
        "fine",
        "decent",
        "average",
        "alright",
        "so-so",
        "passable",
        "ordinary",
        "forgettable",
        "acceptable",
    ],
    &[
        "delicious",
        "good",
        "tasty",
        "great",
        "flavorful",
        "solid",
        "enjoyable",
        "nice",
        "yummy",
        "satisfying",
    ],
    &[
        "amazing",
        "incredible",
        "outstanding",
        "phenomenal",
        "fantastic",
        "perfect",
        "spectacular",
        "superb",
        "excellent",
        "divine",
        "unreal",
    ],
];

static DRINK_PLAIN: [&[&str]; 5] = [
    &[
        "awful",
        "terrible",
        "disgusting",
        "horrible",
        "undrinkable",
        "gross",
        "nasty",
    ],
    &[
        "disappointing",
        "underwhelming",
        "bad",
        "mediocre",
        "subpar",
        "sad",
        "poor",
        "bland",
    ],
    &[
        "okay",
        "fine",
        "decent",
        "average",
        "alright",
        "so-so",
        "passable",
        "ordinary",
        "forgettable",
    ],
    &[
        "good",
        "great",
        "tasty",
        "solid",
        "nice",
        "delicious",
        "enjoyable",
    ],
    &[
        "amazing",
        "incredible",
        "outstanding",
        "fantastic",
        "perfect",
        "superb",
        "excellent",
        "unreal",
        "phenomenal",
    ],
];

static AMENITY_PLAIN: [&[&str]; 5] = [
    &["awful", "terrible", "horrible", "pathetic", "useless"],
    &[
        "disappointing",
        "underwhelming",
        "lackluster",
        "sad",
        "poor",
        "limited",
    ],
    &["okay", "fine", "decent", "average", "alright", "so-so"],
    &["great", "nice", "lovely", "good", "solid", "pleasant"],
    &[
        "amazing",
        "fantastic",
        "incredible",
        "perfect",
        "outstanding",
        "excellent",
    ],
];

static PHRASES: [&[&str]; 5] = [
    &[
        "the worst",
        "a disaster",
        "a total mess",
        "straight up gross",
        "beyond saving",
    ],
    &[
        "not good",
        "a letdown",
        "not worth it",
        "pretty sad",
        "just not good",
    ],
    &[
        "nothing special",
        "just okay",
        "not bad",
        "middle of the road",
        "fine I guess",
    ],
    &[
        "really good",
        "very good",
        "well done",
        "pretty great",
        "a treat",
    ],
    &[
        "out of this world",
        "to die for",
        "next level",
        "absolutely incredible",
        "hands down the best I've had",
    ],
];

fn kind_plain(kind: Kind, lvl: usize) -> &'static [&'static str] {
    let table: [&'static [&'static str]; 5] = match kind {
        Kind::Savory => [
            &[],
            &["salty", "greasy", "dry"],
            &[],
            &["hearty", "fresh", "savory"],
            &[],
        ],
        Kind::Fried => [
            &["burnt", "rancid"],
            &["soggy", "greasy", "limp", "oily"],
            &[],
            &["crispy", "crunchy", "golden"],
            &[],
        ],
        Kind::Noodle => [
            &["gluey"],
            &["mushy", "overcooked", "gummy", "salty", "soggy"],
            &[],
            &["al dente", "hearty", "comforting"],
            &[],
        ],
        Kind::Meat => [
            &["raw", "rubbery"],
            &["dry", "tough", "chewy", "overcooked", "fatty"],
            &[],
            &["juicy", "tender", "smoky"],
            &["succulent"],
        ],
        Kind::Seafood => [
            &["spoiled", "rotten"],
            &["fishy", "rubbery", "chewy"],
            &[],
            &["fresh", "buttery"],
            &["pristine"],
        ],
        Kind::Sweet => [
            &["stale", "rock-hard"],
            &["dry", "stale", "cloying"],
            &[],
            &["rich", "fluffy", "moist"],
            &["heavenly", "decadent"],
        ],
        Kind::HotDrink => [
            &["undrinkable"],
            &["burnt", "watery", "bitter", "weak"],
            &[],
            &["smooth", "rich", "strong", "aromatic"],
            &[],
        ],
        Kind::ColdDrink => [
            &["undrinkable"],
            &["watery", "chalky", "weak"],
            &[],
            &["refreshing", "creamy"],
            &[],
        ],
        Kind::Alcohol => [
            &["undrinkable"],
            &["weak", "flat", "watered-down", "overpriced"],
            &[],
            &["strong", "refreshing", "crisp"],
            &[],
        ],
        Kind::Amenity => [
            &[],
            &["cramped", "overpriced"],
            &[],
            &["relaxing", "fun"],
            &["unbeatable"],
        ],
    };
    table[lvl]
}

fn plain_adj<R: Rng + ?Sized>(rng: &mut R, kind: Kind, lvl: usize) -> &'static str {
    let extra = kind_plain(kind, lvl);
    if !extra.is_empty() && rng.gen_bool(0.35) {
        return word(rng, extra);
    }
    let pools = match kind.class() {
        Class::Food => &FOOD_PLAIN,
        Class::Drink => &DRINK_PLAIN,
        Class::Amenity => &AMENITY_PLAIN,
    };
    word(rng, pools[lvl])
}

fn any_adj<R: Rng + ?Sized>(rng: &mut R, kind: Kind, lvl: usize) -> &'static str {
    if rng.gen_bool(0.25) {
        word(rng, PHRASES[lvl])
    } else {
        plain_adj(rng, kind, lvl)
    }
}

// ---------------------------------------------------------------------------------------
// Verdict templates, by level. Placeholders: {the} (dish with determiner), {d} (bare dish),
// {be} was/were, {bes} wasn't/weren't, {is} is/are, {it} it/they, {It}, {them} it/them,
// {adj}/{adj2} any adjective of the level, {g}/{g2} plain adjectives, {companion}.

static VERDICTS: [&[(u8, &str)]; 5] = [
    &[
        (ALL, "{the} {be} {g}."),
        (ALL, "{the} {be} {adj}."),
        (FD, "Worst {d} I've ever had."),
        (FD, "{the} {be} {g}, I sent {them} back."),
        (FD, "Avoid {the} at all costs."),
        (FD, "I would never order {the} again."),
        (ALL, "{the} {be} {g}. Never again."),
        (F, "I took one bite of {the} and gave up."),
        (
            F,
            "{the} {be} so {g} that we left most of {them} on the plate.",
        ),
        (ALL, "{the} {be} honestly {g}."),
        (FD, "How do you mess up {d} this badly?"),
        (ALL, "{the} {be} a complete joke."),
        (FD, "Whoever made {the} should be embarrassed."),
        (ALL, "{the} {be} {g} and {g2}."),
        (FD, "I've had better {d} from a gas station."),
        (FD, "{the} tasted like {it} came out of a can."),
        (FD, "Do not get {the}."),
        (ALL, "{the}? {adj}. Just {g}."),
    ],
    &[
        (ALL, "{the} {be} {g}."),
        (ALL, "{the} {be} {adj}."),
        (ALL, "{the} {be} not good."),
        (ALL, "{the} {be} not good at all."),
        (ALL, "Sadly {the} {be} {g}."),
        (ALL, "{the} {be} {g} and {g2}."),
        (ALL, "I was really disappointed by {the}."),
        (ALL, "Can't say I enjoyed {the}."),
        (ALL, "{the} {bes} great."),
        (FD, "Skip {the}, {it} {be} {g}."),
        (FD, "I wouldn't order {the} again."),
        (ALL, "{the} {be} pretty {g}."),
        (FD, "For the price, {the} {be} {g}."),
        (
            FD,
            "{the} {be} supposed to be a specialty but {it} {be} {g}.",
        ),
        (ALL, "Not a fan of {the}."),
        (FD, "I ordered {the} and {it} {be} {adj}."),
        (ALL, "{the} {bes} good."),
        (FD, "{the} {be} {g}, I barely touched {them}."),
        (ALL, "Really wanted to like {the} but {it} {be} {g}."),
        (ALL, "{the} {be} a bit {g} if I'm honest."),
    ],
    &[
        (ALL, "{the} {be} {g}."),
        (ALL, "{the} {be} {adj}."),
        (ALL, "{the} {be} not bad."),
        (ALL, "{the} {bes} anything special."),
        (ALL, "{the} {be} fine, nothing to write home about."),
        (FD, "Not the best {d} but not the worst either."),
        (FD, "{the} {be} {g}, I've had better."),
        (F, "{the} {be} edible but forgettable."),
        (ALL, "Honestly {the} {be} just {g}."),
        (ALL, "{the} {be} hit or miss."),
        (ALL, "I expected more from {the}."),
        (FD, "{the} did the job."),
        (ALL, "{the}: {adj}."),
        (FD, "{the} {be} {g}, nothing more."),
        (FD, "Ordered {the} and {it} {be} {adj}."),
        (ALL, "{the} {be} kind of {g}."),
        (FD, "I've had better {d} elsewhere, but {it} {be} {g}."),
        (ALL, "Can't say much about {the}, {it} {be} {g}."),
        (FD, "{the} {be} {g} for the price."),
    ],
    &[
        (ALL, "{the} {be} {g}."),
        (ALL, "{the} {be} {adj}."),
        (FD, "{the} {be} {g} and fairly priced."),
        (ALL, "I really enjoyed {the}."),
        (ALL, "{the} {be} pretty {g}."),
        (FD, "{the} {be} {g}, would get {them} again."),
        (ALL, "No complaints about {the}."),
        (FD, "{the} {be} {g}, not mind-blowing but {g2}."),
        (ALL, "I liked {the} a lot."),
        (FD, "{the} hit the spot."),
        (FD, "Glad I tried {the}, {it} {be} {g}."),
        (FD, "{the} {bes} bad at all, actually quite {g}."),
        (FD, "My {d} {be} {g}."),
        (F, "The {d} portion was generous and {g}."),
        (FD, "We shared {the} and {it} {be} {g}."),
        (ALL, "{the} {be} a nice surprise."),
        (FD, "I ordered {the} and {it} {be} {adj}."),
        (ALL, "Pleasantly surprised by {the}."),
        (FD, "{the} {be} {g} and came out quickly."),
        (ALL, "{the} {be} really {g}."),
        (FD, "Would recommend {the}."),
    ],
    &[
        (ALL, "{the} {be} {adj}."),
        (ALL, "{the} {be} {g}, honestly {g2}."),
        (FD, "I've never had better {d}."),
        (FD, "Never had better {d} anywhere."),
        (ALL, "Hands down the best {d} in town."),
        (FD, "Best {d} I've had in years!"),
        (ALL, "{the} alone {is} worth the trip."),
        (FD, "I'm still dreaming about {the}."),
        (
            FD,
            "{the} {be} {g} and I would order {them} again in a heartbeat.",
        ),
        (FD, "Do yourself a favor and get {the}, {it} {be} {adj}."),
        (FD, "If you only order one thing, make it {the}."),
        (FD, "I don't think I've ever had better {d}."),
        (ALL, "Seriously {g} {d}."),
        (FD, "{the} {be} the star of the meal."),
        (ALL, "{the}? {adj}. No notes."),
        (FD, "Can't stop thinking about {the}."),
        (FD, "{the} {be} so {g} I ordered a second round."),
        (ALL, "{the} blew me away."),
        (ALL, "You can't go wrong with {the}, {it} {be} {adj}."),
        (FD, "Nobody does {d} better."),
        (ALL, "{the} {be} absolutely {g}!"),
        (FD, "I ordered {the} and {it} {be} {adj}."),
        (FD, "My {companion} still talks about {the}."),
        (ALL, "10/10 would come back just for {the}."),
    ],
];

/// One dish judged well ({A}) and one badly ({B}) in the same sentence.
static CONTRASTS: &[&str] = &[
    "{A} {beA} {gA} but {B} {beB} {gB}.",
    "{B} {beB} {gB}, but {A} {beA} {gA}.",
    "Loved {A}, hated {B}.",
    "{A} {beA} {adjA}; {B}, not so much.",
    "While {B} {beB} {gB}, {A} more than made up for it.",
    "{A} {beA} {gA}, shame about {B} which {beB} {gB}.",
    "Great {dA}, terrible {dB}.",
    "Come for {A}, skip {B}.",
    "{A} {beA} {gA}, {B} on the other hand {beB} {gB}.",
    "{B} {beB} a letdown, although {A} {beA} {gA}.",
    "{A} {beA} {gA} and {B} {beB} {gB}.",
    "The only good thing was {A}; {B} {beB} {gB}.",
    "{A} {beA} excellent, {B} {beB} not.",
    "{B} {beB} {gB} and {A} {beA} {gA}, go figure.",
];

/// Two dishes at the same level in one sentence ({g} is an adjective of that level).
static BOTH: &[&str] = &[
    "Both {A} and {B} were {g}.",
    "{A} and {B} were both {g}.",
    "We got {A} and {B}, both {adj}.",
];

static ELABORATE_POS: &[&str] = &[
    "{It} came out hot and beautifully plated.",
    "Generous portion too.",
    "The flavors were spot on.",
    "Perfectly seasoned.",
    "Worth every penny.",
    "Every bite was {g}.",
];
static ELABORATE_MEH: &[&str] = &[
    "Nothing wrong with {them}, nothing memorable either.",
    "Portion was fine.",
    "Kind of forgettable.",
];
static ELABORATE_NEG: &[&str] = &[
    "{It} came out lukewarm.",
    "Not what I expected at all.",
    "{It} tasted like {it} had been sitting around for a while.",
    "Tiny portion for the price.",
    "Not worth the price.",
];

// ---------------------------------------------------------------------------------------
// Dish mentions that judge nothing about this place's version.

/// For a dish NOT on the menu (bare form {d}).
static ABSENT: &[&str] = &[
    "I wish they had {d}.",
    "They don't serve {d} here, in case you were wondering.",
    "Would be nice if they added {d} to the menu.",
    "No {d} on the menu, which surprised me.",
    "I was craving {d} but ended up here instead.",
    "Heads up, they don't do {d}.",
];

/// For any dish ({d}, {d2} bare; {other} another business).
static ANYWHERE: &[&str] = &[
    "My {companion} swears by the {d} at {other}.",
    "We were debating between {d} and {d2} before picking this place.",
    "My {companion} is obsessed with {d}.",
    "We'd had {d} for lunch, so we kept it light.",
    "I'm trying to cut back on {d}.",
    "{other} down the street is known for its {d}.",
    "We're planning to try {other} for {d} next week.",
    "Growing up, my grandma made {d} every Sunday.",
    "Last time I was in town I had {d} at {other}.",
    "Fun fact: my {companion} has never had {d}.",
];

/// For a dish on the menu that the reviewer did not have.
static NOT_HAD: &[&str] = &[
    "Next time I want to try {the}.",
    "The table next to us ordered {the}.",
    "I've heard people rave about {the} here but didn't get to try {them}.",
    "Didn't get a chance to try {the} this time.",
    "They also have {d} on the menu.",
    "They were out of {d}, unfortunately.",
    "My {companion} wanted {the} but changed their mind.",
    "Saving {the} for my next visit.",
];

// ---------------------------------------------------------------------------------------
// Sentences without dishes.

static OPENINGS: &[&str] = &[
    "Came here for {meal} with my {companion}.",
    "Stopped in for {meal} on a {day}.",
    "We were in town for the weekend and found this place on Yelp.",
    "I've been meaning to try this place for a while.",
    "My {companion} and I came here to celebrate a birthday.",
    "Ordered takeout on a rainy {day} night.",
    "Been coming here for years.",
    "This place is right by my office, so I end up here a lot.",
    "We had a party of {n} on a {day} night.",
    "First visit.",
    "Came in around {hour} on a {day}.",
    "Ordered delivery through an app.",
    "My {companion} recommended this spot.",
    "Finally made it here after months of driving past it.",
    "Quick review since I'm on my phone.",
    "Came here before a show downtown.",
    "Popped in after work with some coworkers.",
    "I'm visiting from out of town.",
    "Second time here, first review.",
    "We came on a {day} and it was packed.",
    "Needed somewhere close to the hotel for {meal}.",
    "Long overdue review.",
];

static SERVICE: [&[&str]; 3] = [
    &[
        "Service was painfully slow.",
        "Our server forgot our drinks twice.",
        "We waited {wait} minutes for our food.",
        "The staff seemed annoyed that we were there.",
        "Nobody checked on us once.",
        "The host was rude when we asked about the wait.",
        "Our {staff} disappeared for half an hour.",
        "They got our order wrong and didn't apologize.",
        "Had to ask three times for the check.",
        "The manager was dismissive when we complained.",
    ],
    &[
        "Service was fine.",
        "Our server was nice but a little slow.",
        "It took a while to get seated, but it was a {day} night.",
        "Service was a bit hit or miss.",
        "The staff seemed busy but friendly enough.",
        "We had to flag someone down for the check.",
        "Nothing to complain about service-wise.",
        "The {staff} was polite but forgot our extra napkins.",
    ],
    &[
        "Our server {sname} was attentive and friendly.",
        "Service was quick and friendly.",
        "The staff went above and beyond for us.",
        "{sname} took great care of our table.",
        "Everything came out fast.",
        "The owner stopped by to say hi.",
        "Great service from start to finish.",
        "Our {staff} was super sweet and gave great recommendations.",
        "Water glasses never got empty.",
        "Very welcoming staff.",
        "The {staff} remembered us from last time.",
        "They were happy to accommodate our picky kids.",
    ],
];

static DISASTER: &[&str] = &[
    "We waited over an hour and then they told us the kitchen was closed.",
    "Found a hair in my plate and the manager just shrugged.",
    "They charged my card twice and refused to fix it.",
    "Our order never came and nobody could explain why.",
    "I got food poisoning after eating here.",
    "The staff yelled at each other the whole time we were there.",
];

static ATMOSPHERE: [&[&str]; 3] = [
    &[
        "It was really loud inside.",
        "The dining room is a bit dated.",
        "Tables are crammed together.",
        "The bathroom could use some attention.",
        "The music was too loud to have a conversation.",
        "Sticky tables.",
        "It was freezing inside.",
    ],
    &[
        "It's a small place, maybe ten tables.",
        "Pretty casual spot.",
        "There's a TV over the bar with the game on.",
        "Typical strip-mall spot, don't judge it by the outside.",
        "You order at the counter and grab a seat.",
        "It's a narrow space with a few seats by the window.",
    ],
    &[
        "The place is cozy with nice lighting.",
        "Cute decor and a fun vibe.",
        "Great spot for a date night.",
        "Clean bathrooms, which I always appreciate.",
        "The dining room is bright and spotless.",
        "Nice music, not too loud.",
        "Lots of natural light.",
        "Love the exposed brick and the old photos on the walls.",
    ],
];

static NARRATIVE: &[&str] = &[
    "We got there around {hour} and were seated right away.",
    "It was pretty busy when we arrived.",
    "We sat at the bar since the tables were full.",
    "We ordered at the counter and found a table by the window.",
    "I called ahead to place the order.",
    "There were a few families and a couple of groups from the university.",
    "We took our time and stayed for a couple of hours.",
    "I came back a week later to try a few other things.",
    "The menu has a little bit of everything.",
    "We started with drinks while we waited.",
    "My {companion} picked the place.",
    "We split everything family style.",
    "I went for the lunch special.",
    "We ordered way too much food, as usual.",
    "It was our anniversary, so we splurged a little.",
    "The kids were hungry, so we ordered right away.",
];

static FILLER: &[&str] = &[
    "Parking can be a pain on weekends.",
    "Prices are about what you'd expect for the area.",
    "They take reservations, which helps on busy nights.",
    "Cash only, so come prepared.",
    "The menu is huge, it took us forever to decide.",
    "It's right across from the {landmark}.",
    "Portions are big, bring a friend.",
    "They have a kids menu.",
    "Free Wi-Fi if you need to get work done.",
    "They're closed on Mondays, learned that the hard way.",
    "Street parking only.",
    "There's usually a line around noon.",
    "It's a bit pricey but it's a night out.",
    "The entrée prices went up since last year.",
    "Don't skip the house-made jalapeño salsa.",
    "The café area up front is cute.",
    "Reservations recommended on weekends.",
    "We sat by the window.",
    "They validate parking for the garage next door.",
    "The menu changes with the seasons.",
];

/// Filler for non-food businesses.
static OTHER_FILLER: &[&str] = &[
    "Parking can be a pain on weekends.",
    "It's right across from the {landmark}.",
    "Street parking only.",
    "They're closed on Sundays, learned that the hard way.",
    "Free Wi-Fi in the waiting area.",
    "They send a reminder text the day before.",
    "The waiting area is small but comfortable.",
    "Prices are posted on the wall, no surprises.",
    "They take walk-ins but appointments are better.",
    "Easy to find, right off the main road.",
];

static CLOSINGS: [&[&str]; 5] = [
    &[
        "Never coming back.",
        "Save your money.",
        "Avoid this place.",
        "One star is generous.",
        "Zero stars if I could.",
        "What a waste of an evening.",
    ],
    &[
        "Probably won't be back.",
        "Expected more for the price.",
        "Two stars, and that's being generous.",
        "Disappointing overall.",
        "There are better options nearby.",
    ],
    &[
        "It's fine if you're in the area.",
        "Might give it another shot.",
        "Three stars, nothing more, nothing less.",
        "Not bad, not great.",
        "Mixed feelings overall.",
    ],
    &[
        "Would come back.",
        "Solid spot overall.",
        "Worth a visit.",
        "Four stars, would be five with better parking.",
        "We'll be back for sure.",
        "Good find.",
    ],
    &[
        "Will definitely be back!",
        "Highly recommend!",
        "Five stars, no question.",
        "Can't wait to come back.",
        "This is our new favorite spot.",
        "Go, you won't regret it.",
        "Love this place!",
        "A gem.",
    ],
];

// Non-food businesses.
static OTHER_SERVICE: [&[&str]; 3] = [
    &[
        "They messed up my {thing} and wouldn't fix it.",
        "The {staff} was rude and rushed.",
        "Waited {wait} minutes past my appointment time.",
        "Way overpriced for what you get.",
        "They tried to upsell me on everything.",
        "Nobody answered the phone for days.",
        "My {thing} was a mess and the {staff} blamed me.",
    ],
    &[
        "Pretty standard experience.",
        "It took a bit longer than they said.",
        "Prices are a little high but the work is good.",
        "The {staff} was fine, nothing special.",
        "My {thing} was okay.",
    ],
    &[
        "{sname} did an amazing job with my {thing}.",
        "The {staff} was professional and friendly.",
        "They got me in the same day for a {thing}.",
        "Fair prices and honest work.",
        "Super clean and well organized.",
        "I've been coming here for years and they never disappoint.",
        "They explained everything clearly.",
        "Booking online was easy.",
        "Best {thing} I've had in a long time.",
    ],
];

static OTHER_OPENINGS: &[&str] = &[
    "Came in for a {thing}.",
    "Needed a last-minute {thing}.",
    "Found them on Yelp after my usual place closed.",
    "Went here on a friend's recommendation.",
    "Second time here.",
];

/// Food mentioned in passing at a non-food business ({pf}: something offered; {d}: any dish).
static PASSING_FOOD: &[&str] = &[
    "They had free {pf} while I waited.",
    "There's a {d} place next door, handy while you wait.",
    "Grabbed {d} down the street afterwards.",
    "The lobby smelled like {d} from the place next door.",
    "They offered us {pf} and water, nice touch.",
    "The waiting area had {pf} and magazines.",
];
static PASSING_OFFERED: &[&str] = &["coffee", "tea", "donuts", "bagels"];

static COMPANIONS: &[&str] = &[
    "wife",
    "husband",
    "boyfriend",
    "girlfriend",
    "mom",
    "dad",
    "kids",
    "coworkers",
    "best friend",
    "sister",
    "brother",
    "roommate",
    "parents",
    "in-laws",
];
static MEALS: &[&str] = &[
    "dinner",
    "lunch",
    "a late lunch",
    "breakfast",
    "a late-night bite",
    "an early dinner",
    "date night",
    "a work lunch",
];
static DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
static HOURS: &[&str] = &["6pm", "noon", "7:30", "8pm", "11am", "9pm", "1pm"];
static LANDMARKS: &[&str] = &[
    "university",
    "stadium",
    "courthouse",
    "train station",
    "mall",
    "library",
    "farmers market",
    "old theater",
];
static POS_EMOJI: &[&str] = &["😍", "🔥", "💯", "😋", "🙌", "👌", "❤️", "🤤"];
static NEG_EMOJI: &[&str] = &["😡", "👎", "🤢", "😒", "🙄", "😤"];

/// Emoji for some dishes, appended now and then whatever the verdict.
fn dish_emoji(name: &str) -> Option<&'static str> {
    Some(match name {
        "pizza" | "deep dish" => "🍕",
        "pasta" => "🍝",
        "sushi" => "🍣",
        "tacos" => "🌮",
        "coffee" | "espresso" | "latte" => "☕",
        "burger" => "🍔",
        "ramen" | "pho" | "noodles" => "🍜",
        "donuts" => "🍩",
        "beer" => "🍺",
        "wine" => "🍷",
        "cocktails" => "🍸",
        "ice cream" => "🍦",
        "fries" => "🍟",
        "tea" => "🍵",
        "boba" => "🧋",
        "salad" => "🥗",
        "steak" => "🥩",
        "shrimp" => "🍤",
        "pancakes" => "🥞",
        "croissant" => "🥐",
        "bagel" => "🥯",
        "burrito" => "🌯",
        "dumplings" => "🥟",
        "curry" => "🍛",
        "oysters" => "🦪",
        "cheesecake" => "🍰",
        _ => return None,
    })
}

/// Picks a random element of a non-empty static table.
pub(super) fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Picks a random word of a non-empty static table.
pub(super) fn word<R: Rng + ?Sized>(rng: &mut R, items: &[&'static str]) -> &'static str {
    items[rng.gen_range(0..items.len())]
}

/// Renders `tpl`, replacing each `{key}` through `fill`.
fn render(tpl: &str, out: &mut String, mut fill: impl FnMut(&str, &mut String)) {
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(len) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        fill(&rest[open + 1..open + len], out);
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
}

/// A dish as written in one sentence.
struct Phrase {
    /// With its determiner: "the pasta", "their tacos".
    the: String,
    /// Bare: "pasta", "tacos".
    bare: &'static str,
    plural: bool,
    kind: Kind,
}

fn phrase<R: Rng + ?Sized>(rng: &mut R, dish: usize) -> Phrase {
    let d = &DISHES[dish];
    let (bare, plural) = if d.forms.len() > 1 && rng.gen_bool(0.25) {
        *pick(rng, &d.forms[1..])
    } else {
        d.forms[0]
    };
    let det = if rng.gen_bool(0.85) { "the" } else { "their" };
    let modifier = if matches!(
        d.kind,
        Kind::Savory | Kind::Noodle | Kind::Meat | Kind::Sweet
    ) && rng.gen_bool(0.08)
    {
        word(rng, &["house ", "homemade ", "signature "])
    } else {
        ""
    };
    Phrase {
        the: format!("{det} {modifier}{bare}"),
        bare,
        plural,
        kind: d.kind,
    }
}

/// A dish named in passing ("I had tacos at X"): plural where the dish has a plural form.
fn passing_phrase<R: Rng + ?Sized>(rng: &mut R, dish: usize) -> Phrase {
    let mut p = phrase(rng, dish);
    if !p.plural && rng.gen_bool(0.8) {
        if let Some(&(bare, plural)) = DISHES[dish].forms.iter().find(|f| f.1) {
            p.the = format!("the {bare}");
            p.bare = bare;
            p.plural = plural;
        }
    }
    p
}

/// Shared placeholders: the small talk ones.
fn fill_common<R: Rng + ?Sized>(
    rng: &mut R,
    key: &str,
    out: &mut String,
    input: &ReviewInput<'_>,
) -> bool {
    match key {
        "companion" => out.push_str(word(rng, COMPANIONS)),
        "meal" => out.push_str(word(rng, MEALS)),
        "day" => out.push_str(word(rng, DAYS)),
        "hour" => out.push_str(word(rng, HOURS)),
        "landmark" => out.push_str(word(rng, LANDMARKS)),
        "n" => out.push_str(&rng.gen_range(3..13).to_string()),
        "wait" => out.push_str(word(rng, &["30", "40", "45", "50", "60"])),
        "staff" => out.push_str(word(rng, input.arch.staff)),
        "sname" => out.push_str(word(rng, FIRST)),
        "thing" => out.push_str(word(rng, input.arch.things)),
        "other" => out.push_str(input.other_name),
        _ => return false,
    }
    true
}

fn fill_dish<R: Rng + ?Sized>(
    rng: &mut R,
    key: &str,
    out: &mut String,
    p: &Phrase,
    lvl: usize,
) -> bool {
    match key {
        "the" => out.push_str(&p.the),
        "d" => out.push_str(p.bare),
        "be" => out.push_str(if p.plural { "were" } else { "was" }),
        "bes" => out.push_str(if p.plural { "weren't" } else { "wasn't" }),
        "is" => out.push_str(if p.plural { "are" } else { "is" }),
        "it" => out.push_str(if p.plural { "they" } else { "it" }),
        "It" => out.push_str(if p.plural { "They" } else { "It" }),
        "them" => out.push_str(if p.plural { "them" } else { "it" }),
        "adj" | "adj2" => out.push_str(any_adj(rng, p.kind, lvl)),
        "g" | "g2" => out.push_str(plain_adj(rng, p.kind, lvl)),
        _ => return false,
    }
    true
}

/// Upper-cases the first letter of a sentence, and of any sentence inside it
/// ("The chai? Perfect. No notes."). Sentences here start with ASCII letters.
fn capitalize(s: &mut String) {
    let mut bytes = std::mem::take(s).into_bytes();
    let mut start = true;
    let mut prev_end = false;
    for b in bytes.iter_mut() {
        if start {
            if b.is_ascii_alphabetic() {
                b.make_ascii_uppercase();
                start = false;
            } else if b.is_ascii_digit() || !b.is_ascii() {
                start = false;
            }
        }
        if prev_end && *b == b' ' {
            start = true;
        }
        prev_end = matches!(*b, b'.' | b'?' | b'!');
    }
    // Only ASCII bytes changed, so this is still UTF-8.
    *s = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
}

/// Renders one sentence with the common placeholders and an optional dish.
fn sentence<R: Rng + ?Sized>(
    rng: &mut R,
    tpl: &str,
    input: &ReviewInput<'_>,
    dish: Option<(&Phrase, usize)>,
) -> String {
    let mut s = String::with_capacity(tpl.len() + 24);
    let mut last_adj: Option<String> = None;
    render(tpl, &mut s, |key, out| {
        if let Some((p, lvl)) = dish {
            if key == "adj2" || key == "g2" {
                // A second adjective, different from the first.
                for _ in 0..4 {
                    let mut tmp = String::new();
                    fill_dish(rng, key, &mut tmp, p, lvl);
                    if last_adj.as_deref() != Some(tmp.as_str()) {
                        out.push_str(&tmp);
                        return;
                    }
                }
                out.push_str(word(rng, PHRASES[lvl]));
                return;
            }
            let start = out.len();
            if fill_dish(rng, key, out, p, lvl) {
                if key == "adj" || key == "g" {
                    last_adj = Some(out[start..].to_string());
                }
                return;
            }
        }
        if !fill_common(rng, key, out, input) {
            out.push_str(key);
        }
    });
    capitalize(&mut s);
    s
}

/// Picks a template of `pool` and renders it.
fn sentence_from<R: Rng + ?Sized>(
    rng: &mut R,
    pool: &[&'static str],
    input: &ReviewInput<'_>,
    dish: Option<(&Phrase, usize)>,
) -> String {
    let tpl = word(rng, pool);
    sentence(rng, tpl, input, dish)
}

fn pick_template<R: Rng + ?Sized>(
    rng: &mut R,
    list: &[(u8, &'static str)],
    class: Class,
) -> &'static str {
    for _ in 0..16 {
        let (mask, tpl) = *pick(rng, list);
        if mask & class.bit() != 0 {
            return tpl;
        }
    }
    list[0].1
}

/// A verdict sentence on one dish, at the level of its perceived quality.
fn verdict<R: Rng + ?Sized>(rng: &mut R, input: &ReviewInput<'_>, m: &Mention) -> (String, usize) {
    let lvl = level(m.perceived);
    let p = phrase(rng, m.dish);
    let tpl = pick_template(rng, VERDICTS[lvl], p.kind.class());
    let mut s = sentence(rng, tpl, input, Some((&p, lvl)));
    if rng.gen_bool(0.05) {
        if let Some(e) = dish_emoji(DISHES[m.dish].name) {
            s.push(' ');
            s.push_str(e);
        }
    }
    (s, lvl)
}

/// Two dishes in one sentence: a contrast (A good, B bad) or "both" (same level).
fn pair_sentence<R: Rng + ?Sized>(
    rng: &mut R,
    input: &ReviewInput<'_>,
    a: &Mention,
    b: &Mention,
    contrast: bool,
) -> String {
    let (la, lb) = (level(a.perceived), level(b.perceived));
    let pa = phrase(rng, a.dish);
    let pb = phrase(rng, b.dish);
    let tpl = if contrast {
        word(rng, CONTRASTS)
    } else {
        word(rng, BOTH)
    };
    let mut s = String::with_capacity(96);
    render(tpl, &mut s, |key, out| {
        let (p, lvl, sub) = match key.strip_suffix('A') {
            Some(sub) => (&pa, la, sub),
            None => match key.strip_suffix('B') {
                Some(sub) => (&pb, lb, sub),
                None => (&pa, la, key),
            },
        };
        let sub = match sub {
            "" => "the",
            other => other,
        };
        if !fill_dish(rng, sub, out, p, lvl) && !fill_common(rng, sub, out, input) {
            out.push_str(key);
        }
    });
    capitalize(&mut s);
    s
}

fn elaboration<R: Rng + ?Sized>(
    rng: &mut R,
    input: &ReviewInput<'_>,
    m: &Mention,
    lvl: usize,
) -> String {
    let pool = match lvl {
        0 | 1 => ELABORATE_NEG,
        2 => ELABORATE_MEH,
        _ => ELABORATE_POS,
    };
    let p = phrase(rng, m.dish);
    sentence_from(rng, pool, input, Some((&p, lvl)))
}

/// A sentence naming a dish without judging this place's version of it. Its dish and
/// template are drawn independently of quality and stars.
fn distractor<R: Rng + ?Sized>(rng: &mut R, input: &ReviewInput<'_>) -> String {
    let roll = rng.gen_range(0..3);
    let had = |i: usize| input.had.iter().any(|m| m.dish == i);
    if roll == 0 && !input.menu.is_empty() {
        // On the menu, not had this time.
        let candidates: Vec<usize> = input.menu.iter().copied().filter(|&i| !had(i)).collect();
        if !candidates.is_empty() {
            let dish = *pick(rng, &candidates);
            let p = passing_phrase(rng, dish);
            return sentence_from(rng, NOT_HAD, input, Some((&p, 2)));
        }
    }
    if roll == 1 {
        // Not on the menu.
        for _ in 0..8 {
            let dish = rng.gen_range(0..DISHES.len());
            if DISHES[dish].kind != Kind::Amenity && !input.menu.contains(&dish) {
                let p = passing_phrase(rng, dish);
                return sentence_from(rng, ABSENT, input, Some((&p, 2)));
            }
        }
    }
    // Anywhere.
    let mut dish = rng.gen_range(0..DISHES.len());
    while DISHES[dish].kind == Kind::Amenity {
        dish = rng.gen_range(0..DISHES.len());
    }
    let mut other = rng.gen_range(0..DISHES.len());
    while other == dish || DISHES[other].kind == Kind::Amenity {
        other = rng.gen_range(0..DISHES.len());
    }
    let p = passing_phrase(rng, dish);
    let second = DISHES[other].forms[0].0;
    let tpl = word(rng, ANYWHERE);
    let mut s = String::new();
    render(tpl, &mut s, |key, out| {
        if key == "d2" {
            out.push_str(second);
        } else if !fill_dish(rng, key, out, &p, 2) && !fill_common(rng, key, out, input) {
            out.push_str(key);
        }
    });
    capitalize(&mut s);
    s
}

fn service_tier(p: f32) -> usize {
    if p >= 0.6 {
        2
    } else if p >= 0.4 {
        1
    } else {
        0
    }
}

/// Writes the text of one review into `out` (which is cleared first).
pub(super) fn compose<R: Rng + ?Sized>(rng: &mut R, input: &ReviewInput<'_>, out: &mut String) {
    out.clear();
    let mut body: Vec<String> = Vec::with_capacity(12);
    let food = !input.menu.is_empty();
    let tier = service_tier(input.service);
    let short = rng.gen_bool(0.06);

    let opening = if short || !rng.gen_bool(0.65) {
        None
    } else if food {
        Some(sentence_from(rng, OPENINGS, input, None))
    } else {
        Some(sentence_from(rng, OTHER_OPENINGS, input, None))
    };

    if food {
        // Verdicts, with a contrast or a "both" sentence for a suitable pair.
        let had = input.had;
        let mut done = vec![false; had.len()];
        if had.len() >= 2 {
            'pairs: for i in 0..had.len() {
                for j in 0..had.len() {
                    if i == j {
                        continue;
                    }
                    let (li, lj) = (level(had[i].perceived), level(had[j].perceived));
                    if li >= 3 && lj <= 1 && rng.gen_bool(0.7) {
                        body.push(pair_sentence(rng, input, &had[i], &had[j], true));
                        done[i] = true;
                        done[j] = true;
                        break 'pairs;
                    }
                    if i < j && li == lj && rng.gen_bool(0.25) {
                        body.push(pair_sentence(rng, input, &had[i], &had[j], false));
                        done[i] = true;
                        done[j] = true;
                        break 'pairs;
                    }
                }
            }
        }
        for (m, done) in had.iter().zip(&done) {
            if *done {
                continue;
            }
            let (mut s, lvl) = verdict(rng, input, m);
            if !short && DISHES[m.dish].kind.class() == Class::Food && rng.gen_bool(0.25) {
                // Kept with its verdict, so the shuffle below cannot separate them.
                s.push(' ');
                s.push_str(&elaboration(rng, input, m, lvl));
            }
            body.push(s);
        }
    } else {
        let n = rng.gen_range(1..4);
        for _ in 0..n {
            let t = if rng.gen_bool(0.8) {
                tier
            } else {
                rng.gen_range(0..3)
            };
            body.push(sentence_from(rng, OTHER_SERVICE[t], input, None));
        }
        if rng.gen_bool(0.3) {
            body.push(passing_food(rng, input));
        }
    }

    if !short {
        if input.disaster {
            body.push(sentence_from(rng, DISASTER, input, None));
        }
        if food {
            let narrative = rng.gen_range(0..5);
            for _ in 0..narrative {
                body.push(sentence_from(rng, NARRATIVE, input, None));
            }
        }
        if food && rng.gen_bool(0.75) {
            body.push(sentence_from(rng, SERVICE[tier], input, None));
        }
        if food && rng.gen_bool(0.55) {
            let t = if rng.gen_bool(0.5) {
                tier
            } else {
                rng.gen_range(0..3)
            };
            body.push(sentence_from(rng, ATMOSPHERE[t], input, None));
        }
        let fillers = rng.gen_range(0..4);
        let pool = if food { FILLER } else { OTHER_FILLER };
        for _ in 0..fillers {
            body.push(sentence_from(rng, pool, input, None));
        }
        if food {
            let distractors = match rng.gen_range(0..100) {
                0..=49 => 0,
                50..=84 => 1,
                _ => 2,
            };
            for _ in 0..distractors {
                body.push(distractor(rng, input));
            }
        }
        // Mild shuffle: keep most of the order, swap a few neighbours.
        for i in 1..body.len() {
            if rng.gen_bool(0.3) {
                body.swap(i - 1, i);
            }
        }
    }

    let closing = if rng.gen_bool(if short { 0.4 } else { 0.7 }) {
        let stars = usize::from(input.stars.clamp(1, 5)) - 1;
        let mut s = pick(rng, CLOSINGS[stars]).to_string();
        if rng.gen_bool(0.15) {
            s.push(' ');
            s.push_str(if stars >= 3 {
                word(rng, POS_EMOJI)
            } else if stars <= 1 {
                word(rng, NEG_EMOJI)
            } else {
                "🤷"
            });
        }
        Some(s)
    } else {
        None
    };

    // No sentence twice.
    let mut seen: Vec<&str> = Vec::with_capacity(body.len() + 2);
    let mut sentences: Vec<&str> = Vec::with_capacity(body.len() + 2);
    for s in opening.iter().chain(body.iter()).chain(closing.iter()) {
        if !seen.contains(&s.as_str()) {
            seen.push(s);
            sentences.push(s);
        }
    }

    // Join: mostly spaces, sometimes paragraphs.
    let paragraphs = rng.gen_bool(0.3);
    let mut first = true;
    for s in sentences {
        if !first {
            if paragraphs && rng.gen_bool(0.35) {
                out.push_str(if rng.gen_bool(0.8) { "\n\n" } else { "\n" });
            } else {
                out.push(' ');
            }
        }
        first = false;
        out.push_str(s);
    }
    if rng.gen_bool(0.05) {
        let lower = out.to_lowercase();
        *out = lower;
    } else if input.stars == 5 && rng.gen_bool(0.1) {
        if out.ends_with('.') {
            out.pop();
        }
        out.push_str("!!!");
    }
}

fn passing_food<R: Rng + ?Sized>(rng: &mut R, input: &ReviewInput<'_>) -> String {
    let mut dish = rng.gen_range(0..DISHES.len());
    while DISHES[dish].kind.class() != Class::Food {
        dish = rng.gen_range(0..DISHES.len());
    }
    let p = passing_phrase(rng, dish);
    let tpl = word(rng, PASSING_FOOD);
    let mut s = String::new();
    render(tpl, &mut s, |key, out| {
        if key == "pf" {
            out.push_str(word(rng, PASSING_OFFERED));
        } else if !fill_dish(rng, key, out, &p, 2) && !fill_common(rng, key, out, input) {
            out.push_str(key);
        }
    });
    capitalize(&mut s);
    s
}

/// All sentences that must not name any dish (checked by a test).
#[cfg(test)]
pub(super) fn dish_free_sentences() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    v.extend(OPENINGS);
    v.extend(SERVICE.iter().flat_map(|s| s.iter()));
    v.extend(DISASTER);
    v.extend(ATMOSPHERE.iter().flat_map(|s| s.iter()));
    v.extend(FILLER);
    v.extend(NARRATIVE);
    v.extend(OTHER_FILLER);
    v.extend(CLOSINGS.iter().flat_map(|s| s.iter()));
    v.extend(OTHER_SERVICE.iter().flat_map(|s| s.iter()));
    v.extend(OTHER_OPENINGS);
    v.extend(ELABORATE_POS);
    v.extend(ELABORATE_MEH);
    v.extend(ELABORATE_NEG);
    v.extend(COMPANIONS);
    v.extend(MEALS);
    v.extend(LANDMARKS);
    for pools in [&FOOD_PLAIN, &DRINK_PLAIN, &AMENITY_PLAIN, &PHRASES] {
        v.extend(pools.iter().flat_map(|s| s.iter()));
    }
    v
}

/// All verdict and distractor templates, for template sanity tests.
#[cfg(test)]
pub(super) fn dish_templates() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = VERDICTS
        .iter()
        .flat_map(|l| l.iter().map(|t| t.1))
        .collect();
    v.extend(CONTRASTS);
    v.extend(BOTH);
    v.extend(ABSENT);
    v.extend(ANYWHERE);
    v.extend(NOT_HAD);
    v
}
