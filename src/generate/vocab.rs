//! The static vocabulary of the generator: dishes, business archetypes, places and names.
//!
//! Nothing here is random; the generator draws from these tables with its seeded RNGs.

/// How a dish is judged: picks the kind-specific verdict adjectives ("crispy", "soggy", ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Generic savoury food.
    Savory,
    /// Fried food (crispy / soggy).
    Fried,
    /// Noodles, pasta, rice dishes (al dente / mushy).
    Noodle,
    /// Meat (juicy / dry).
    Meat,
    /// Fish and shellfish (fresh / fishy).
    Seafood,
    /// Desserts, pastries, breakfast sweets.
    Sweet,
    /// Coffee and tea.
    HotDrink,
    /// Smoothies, boba, lassi.
    ColdDrink,
    /// Beer, wine, cocktails.
    Alcohol,
    /// Not eaten: patio, happy hour, gluten free options...
    Amenity,
}

impl Kind {
    /// Food, drink or amenity: selects the generic adjective pools and the template masks.
    pub(super) fn class(self) -> Class {
        match self {
            Kind::HotDrink | Kind::ColdDrink | Kind::Alcohol => Class::Drink,
            Kind::Amenity => Class::Amenity,
            _ => Class::Food,
        }
    }
}

/// The coarse class of a dish, used to pick templates that make sense for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// Something eaten.
    Food,
    /// Something drunk.
    Drink,
    /// A feature of the place.
    Amenity,
}

impl Class {
    /// The template mask bit of this class.
    pub(super) fn bit(self) -> u8 {
        match self {
            Class::Food => 1,
            Class::Drink => 2,
            Class::Amenity => 4,
        }
    }
}

/// One dish, drink or amenity of the vocabulary.
pub(super) struct Dish {
    /// Canonical name, as in `truth.json` and as a user would query it.
    pub name: &'static str,
    /// Surface forms used in review text with their grammatical number (true = plural);
    /// the first is the most common.
    pub forms: &'static [(&'static str, bool)],
    /// How it is judged.
    pub kind: Kind,
}

const S: bool = false;
const P: bool = true;

const fn d(name: &'static str, forms: &'static [(&'static str, bool)], kind: Kind) -> Dish {
    Dish { name, forms, kind }
}

use Kind::*;

/// The vocabulary. No canonical name contains another canonical name as a whole word, so a
/// mention of one dish is never a mention of another.
pub(super) static DISHES: &[Dish] = &[
    d("pizza", &[("pizza", S), ("pizzas", P)], Savory),
    d("pasta", &[("pasta", S)], Noodle),
    d("sushi", &[("sushi", S)], Seafood),
    d("tacos", &[("tacos", P), ("taco", S)], Savory),
    d("burger", &[("burger", S), ("burgers", P)], Meat),
    d("ramen", &[("ramen", S)], Noodle),
    d("pho", &[("pho", S), ("phở", S)], Noodle),
    d("coffee", &[("coffee", S)], HotDrink),
    d("bagel", &[("bagel", S), ("bagels", P)], Savory),
    d("brunch", &[("brunch", S)], Savory),
    d("wings", &[("wings", P), ("wing", S)], Fried),
    d("bbq", &[("bbq", S), ("BBQ", S)], Meat),
    d("steak", &[("steak", S), ("steaks", P)], Meat),
    d("salad", &[("salad", S), ("salads", P)], Savory),
    d("curry", &[("curry", S), ("curries", P)], Savory),
    d("dumplings", &[("dumplings", P), ("dumpling", S)], Savory),
    d("sandwich", &[("sandwich", S), ("sandwiches", P)], Savory),
    d("burrito", &[("burrito", S), ("burritos", P)], Savory),
    d("noodles", &[("noodles", P)], Noodle),
    d("fried chicken", &[("fried chicken", S)], Fried),
    d("ice cream", &[("ice cream", S)], Sweet),
    d(
        "donuts",
        &[("donuts", P), ("donut", S), ("doughnuts", P)],
        Sweet,
    ),
    d("pancakes", &[("pancakes", P), ("pancake", S)], Sweet),
    d("cocktails", &[("cocktails", P), ("cocktail", S)], Alcohol),
    d(
        "beer",
        &[("beer", S), ("beers", P), ("beer selection", S)],
        Alcohol,
    ),
    d(
        "wine",
        &[("wine", S), ("wine list", S), ("wines", P)],
        Alcohol,
    ),
    d("seafood", &[("seafood", S)], Seafood),
    d("oysters", &[("oysters", P), ("oyster", S)], Seafood),
    d("lobster", &[("lobster", S)], Seafood),
    d("shrimp", &[("shrimp", S)], Seafood),
    d("salmon", &[("salmon", S)], Seafood),
    d("fries", &[("fries", P)], Fried),
    d("milkshake", &[("milkshake", S), ("milkshakes", P)], Sweet),
    d("cheesecake", &[("cheesecake", S)], Sweet),
    d("tea", &[("tea", S), ("teas", P)], HotDrink),
    d("boba", &[("boba", S)], ColdDrink),
    d("soup", &[("soup", S), ("soups", P)], Savory),
    d("nachos", &[("nachos", P)], Savory),
    d("gyro", &[("gyro", S), ("gyros", P)], Meat),
    d("falafel", &[("falafel", S)], Fried),
    d("hummus", &[("hummus", S)], Savory),
    d("pad thai", &[("pad thai", S), ("Pad Thai", S)], Noodle),
    d("fried rice", &[("fried rice", S)], Noodle),
    d("dim sum", &[("dim sum", S)], Savory),
    d("lasagna", &[("lasagna", S)], Noodle),
    d("gnocchi", &[("gnocchi", S)], Noodle),
    d("risotto", &[("risotto", S)], Noodle),
    d("meatballs", &[("meatballs", P), ("meatball", S)], Meat),
    d("waffles", &[("waffles", P), ("waffle", S)], Sweet),
    d(
        "crepes",
        &[("crepes", P), ("crêpes", P), ("crepe", S), ("crêpe", S)],
        Sweet,
    ),
    d("croissant", &[("croissant", S), ("croissants", P)], Sweet),
    d("espresso", &[("espresso", S)], HotDrink),
    d("latte", &[("latte", S), ("lattes", P)], HotDrink),
    d(
        "crème brûlée",
        &[("crème brûlée", S), ("creme brulee", S)],
        Sweet,
    ),
    d("deep dish", &[("deep dish", S)], Savory),
    d("patio", &[("patio", S)], Amenity),
    d("happy hour", &[("happy hour", S)], Amenity),
    d(
        "gluten free",
        &[
            ("gluten free options", P),
            ("gluten-free options", P),
            ("gluten free menu", S),
        ],
        Amenity,
    ),
    // Beyond the required list.
    d(
        "margaritas",
        &[("margaritas", P), ("margarita", S)],
        Alcohol,
    ),
    d("guacamole", &[("guacamole", S), ("guac", S)], Savory),
    d("enchiladas", &[("enchiladas", P), ("enchilada", S)], Savory),
    d(
        "quesadilla",
        &[("quesadilla", S), ("quesadillas", P)],
        Savory,
    ),
    d("churros", &[("churros", P)], Sweet),
    d("tamales", &[("tamales", P)], Savory),
    d("elote", &[("elote", S)], Savory),
    d("brisket", &[("brisket", S)], Meat),
    d("ribs", &[("ribs", P)], Meat),
    d("pulled pork", &[("pulled pork", S)], Meat),
    d(
        "mac and cheese",
        &[("mac and cheese", S), ("mac n cheese", S)],
        Savory,
    ),
    d("cornbread", &[("cornbread", S)], Sweet),
    d("banh mi", &[("banh mi", S), ("bánh mì", S)], Savory),
    d(
        "spring rolls",
        &[("spring rolls", P), ("spring roll", S)],
        Fried,
    ),
    d("naan", &[("naan", S)], Savory),
    d("tikka masala", &[("tikka masala", S)], Savory),
    d("biryani", &[("biryani", S)], Noodle),
    d("samosas", &[("samosas", P), ("samosa", S)], Fried),
    d("lassi", &[("lassi", S), ("mango lassi", S)], ColdDrink),
    d("kebab", &[("kebab", S), ("kebabs", P)], Meat),
    d("shawarma", &[("shawarma", S)], Meat),
    d("baklava", &[("baklava", S)], Sweet),
    d("tiramisu", &[("tiramisu", S)], Sweet),
    d("calamari", &[("calamari", S)], Fried),
    d("garlic knots", &[("garlic knots", P)], Savory),
    d("clam chowder", &[("clam chowder", S)], Seafood),
    d("crab", &[("crab", S), ("crab legs", P)], Seafood),
    d("crawfish", &[("crawfish", S)], Seafood),
    d("po boy", &[("po boy", S), ("po' boy", S)], Savory),
    d("gumbo", &[("gumbo", S)], Savory),
    d("jambalaya", &[("jambalaya", S)], Savory),
    d("biscuits", &[("biscuits", P), ("biscuit", S)], Sweet),
    d(
        "eggs benedict",
        &[("eggs benedict", S), ("eggs Benedict", S)],
        Savory,
    ),
    d(
        "french toast",
        &[("french toast", S), ("French toast", S)],
        Sweet,
    ),
    d("omelette", &[("omelette", S), ("omelet", S)], Savory),
    d("bacon", &[("bacon", S)], Meat),
    d("hash browns", &[("hash browns", P)], Fried),
    d("cupcakes", &[("cupcakes", P), ("cupcake", S)], Sweet),
    d("macarons", &[("macarons", P)], Sweet),
    d(
        "cinnamon rolls",
        &[("cinnamon rolls", P), ("cinnamon roll", S)],
        Sweet,
    ),
    d("muffin", &[("muffin", S), ("muffins", P)], Sweet),
    d("scones", &[("scones", P), ("scone", S)], Sweet),
    d(
        "frozen yogurt",
        &[("frozen yogurt", S), ("froyo", S)],
        Sweet,
    ),
    d("cappuccino", &[("cappuccino", S)], HotDrink),
    d("chai", &[("chai", S)], HotDrink),
    d("smoothie", &[("smoothie", S), ("smoothies", P)], ColdDrink),
    d("acai bowl", &[("acai bowl", S), ("açaí bowl", S)], Sweet),
    d("bibimbap", &[("bibimbap", S)], Savory),
    d("kimchi", &[("kimchi", S)], Savory),
    d("bulgogi", &[("bulgogi", S)], Meat),
    d("tempura", &[("tempura", S)], Fried),
    d("udon", &[("udon", S)], Noodle),
    d("edamame", &[("edamame", S)], Savory),
    d("sake", &[("sake", S)], Alcohol),
    d("poke", &[("poke", S), ("poke bowl", S)], Seafood),
    d("hot pot", &[("hot pot", S)], Savory),
    d("bao", &[("bao", S), ("bao buns", P)], Savory),
    d("orange chicken", &[("orange chicken", S)], Fried),
    d("hot dog", &[("hot dog", S), ("hot dogs", P)], Meat),
    d("onion rings", &[("onion rings", P)], Fried),
    d(
        "cheesesteak",
        &[("cheesesteak", S), ("cheesesteaks", P)],
        Meat,
    ),
    d("pastrami", &[("pastrami", S)], Meat),
    d("fish and chips", &[("fish and chips", S)], Fried),
    d("vermicelli", &[("vermicelli", S)], Noodle),
    d("sangria", &[("sangria", S)], Alcohol),
    d(
        "whiskey",
        &[("whiskey", S), ("whiskey selection", S)],
        Alcohol,
    ),
    d("mimosas", &[("mimosas", P), ("mimosa", S)], Alcohol),
    d("vegan", &[("vegan options", P), ("vegan menu", S)], Amenity),
    d("live music", &[("live music", S)], Amenity),
];

/// Index of a dish by canonical name.
pub(super) fn dish_index(name: &str) -> Option<usize> {
    DISHES.iter().position(|d| d.name == name)
}

/// Index of a dish by canonical name or any surface form, case- and accent-insensitively
/// for the forms listed (for example "crêpes" and "Crepes" both find "crepes").
pub(super) fn lookup_dish(query: &str) -> Option<usize> {
    let q = query.trim().to_lowercase();
    DISHES
        .iter()
        .position(|d| d.name == q || d.forms.iter().any(|(f, _)| f.to_lowercase() == q))
}

/// The kind of business, which drives its categories, menu, name and review vocabulary.
pub(super) struct Archetype {
    /// Short key, for test messages.
    #[cfg_attr(not(test), allow(dead_code))]
    pub key: &'static str,
    /// Relative frequency among businesses of its group (food or non-food).
    pub weight: f64,
    /// Category strings, each with extra core dishes it implies (an Italian place that is
    /// also tagged "Wine Bars" serves wine).
    pub categories: &'static [(&'static str, &'static [&'static str])],
    /// Dishes every business of this archetype serves (empty for non-food businesses).
    pub core: &'static [&'static str],
    /// Dishes some businesses of this archetype serve.
    pub extra: &'static [&'static str],
    /// Name templates: `{first}`, `{last}`, `{adj}`, `{noun}`, `{city}`, `{w}` (from `words`).
    pub names: &'static [&'static str],
    /// Archetype-specific name words.
    pub words: &'static [&'static str],
    /// Chain names, reused across cities and zipcodes.
    pub chains: &'static [&'static str],
    /// Opening hours style.
    pub hours: HoursStyle,
    /// Who serves you (restaurants) or works on you (others).
    pub staff: &'static [&'static str],
    /// What a non-food business does for you ("haircut", "oil change").
    pub things: &'static [&'static str],
    /// Price range choices ("1".."4").
    pub price: &'static [&'static str],
}

/// Opening hours patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HoursStyle {
    /// Breakfast and lunch.
    Morning,
    /// Coffee shops and bakeries.
    Cafe,
    /// Lunch and dinner.
    Restaurant,
    /// Bars: late, past midnight.
    Bar,
    /// Shops and services.
    Shop,
    /// Open around the clock.
    AllDay,
}

const RESTAURANT_STAFF: &[&str] = &["server", "waitress", "waiter", "bartender", "host"];
const COUNTER_STAFF: &[&str] = &[
    "barista",
    "cashier",
    "guy at the counter",
    "girl at the register",
];

macro_rules! food {
    ($key:expr, $w:expr, $cats:expr, $core:expr, $extra:expr, $names:expr, $words:expr, $chains:expr, $hours:expr, $staff:expr, $price:expr) => {
        Archetype {
            key: $key,
            weight: $w,
            categories: $cats,
            core: $core,
            extra: $extra,
            names: $names,
            words: $words,
            chains: $chains,
            hours: $hours,
            staff: $staff,
            things: &[],
            price: $price,
        }
    };
}

/// Food and drink businesses: each has a menu.
pub(super) static FOOD: &[Archetype] = &[
    food!(
        "italian",
        8.0,
        &[
            ("Restaurants, Italian", &[]),
            ("Italian, Restaurants, Pizza", &["pizza"]),
            (
                "Restaurants, Italian, Wine Bars, Nightlife, Bars",
                &["wine"]
            ),
            ("Italian, Restaurants", &[]),
        ],
        &["pasta", "lasagna", "gnocchi", "risotto", "meatballs"],
        &[
            "pizza",
            "tiramisu",
            "wine",
            "salad",
            "calamari",
            "garlic knots",
            "espresso",
            "cheesecake",
            "salmon",
            "soup",
            "patio"
        ],
        &[
            "{first}'s Trattoria",
            "Osteria {w}",
            "Trattoria {w}",
            "{w} Cucina",
            "{last} Italian Kitchen",
            "Nonna {first}'s",
            "Ristorante {w}",
            "Bella {w}",
            "Cafe {w}",
            "Piatti {w}"
        ],
        &[
            "Roma", "Toscana", "Napoli", "Milano", "Sole", "Luna", "Amore", "Vita", "Piazza",
            "Verde", "Fiore", "Siena", "Bellini", "Positano"
        ],
        &["Olive Terrace", "Carmine's Table"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2", "2", "3"]
    ),
    food!(
        "pizza",
        9.0,
        &[
            ("Restaurants, Pizza", &[]),
            ("Pizza, Restaurants, Italian", &["pasta"]),
            ("Restaurants, Pizza, Chicken Wings", &["wings"]),
            ("Food, Pizza, Restaurants, Fast Food", &[]),
            ("Pizza, Restaurants, Chicago Style", &["deep dish"]),
        ],
        &["pizza", "garlic knots", "salad"],
        &[
            "wings",
            "deep dish",
            "beer",
            "pasta",
            "meatballs",
            "sandwich",
            "cheesesteak",
            "calamari",
            "gluten free"
        ],
        &[
            "{last}'s Pizza",
            "{first}'s Pizzeria",
            "{adj} Slice",
            "{city} Pizza Co.",
            "Pizzeria {w}",
            "{w} Pizza Kitchen",
            "{adj} Crust",
            "Brick Oven {w}"
        ],
        &["Napoli", "Vesuvio", "Roma", "Famiglia", "Bianco", "Rosso", "Forno"],
        &["Pizza Palace", "Slice Republic", "Papa Moretti's"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["1", "1", "2"]
    ),
    food!(
        "mexican",
        8.0,
        &[
            ("Restaurants, Mexican", &[]),
            ("Mexican, Restaurants, Tex-Mex", &[]),
            ("Restaurants, Mexican, Fast Food", &[]),
            ("Food Trucks, Food, Mexican", &[]),
            ("Mexican, Bars, Nightlife, Restaurants", &["margaritas"]),
        ],
        &[
            "tacos",
            "burrito",
            "nachos",
            "guacamole",
            "enchiladas",
            "quesadilla"
        ],
        &[
            "margaritas",
            "churros",
            "tamales",
            "elote",
            "beer",
            "patio",
            "happy hour",
            "soup"
        ],
        &[
            "Taqueria {w}",
            "El {w}",
            "La {w}",
            "Los {w}",
            "{first}'s Cantina",
            "{w} Mexican Grill",
            "Tacos {w}",
            "Casa {w}"
        ],
        &[
            "Sol", "Jalisco", "Oaxaca", "Paloma", "Azteca", "Charro", "Mariachi", "Rancho",
            "Cielo", "Agave", "Nopal"
        ],
        &["Taco Town", "Burrito Barn", "Casa Verde Cantina"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["1", "2", "2"]
    ),
    food!(
        "burgers",
        9.0,
        &[
            ("Restaurants, American (Traditional), Burgers", &[]),
            ("Burgers, Restaurants, Fast Food", &[]),
            (
                "American (New), Restaurants, Burgers, Bars, Nightlife",
                &["beer"]
            ),
            ("Burgers, American (Traditional), Restaurants", &[]),
        ],
        &["burger", "fries", "milkshake"],
        &[
            "onion rings",
            "wings",
            "salad",
            "beer",
            "hot dog",
            "mac and cheese",
            "sandwich",
            "fried chicken",
            "patio",
            "gluten free"
        ],
        &[
            "{last}'s Burgers",
            "The {adj} Patty",
            "{first}'s Grill",
            "{city} Burger Co.",
            "{adj} {noun} Burgers",
            "Burger {w}",
            "{last} & Sons Grill"
        ],
        &["Joint", "Shack", "Stand", "Spot", "Republic", "Lab"],
        &["Burger Barn", "Smash Stack", "Five Star Grill"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["1", "2"]
    ),
    food!(
        "breakfast",
        7.0,
        &[
            ("Restaurants, Breakfast & Brunch", &[]),
            (
                "Breakfast & Brunch, American (Traditional), Restaurants",
                &[]
            ),
            ("Cafes, Breakfast & Brunch, Restaurants", &["coffee"]),
            ("Breakfast & Brunch, Diners, Restaurants", &[]),
        ],
        &[
            "brunch",
            "pancakes",
            "eggs benedict",
            "french toast",
            "omelette"
        ],
        &[
            "waffles",
            "bacon",
            "hash browns",
            "biscuits",
            "crepes",
            "mimosas",
            "bagel",
            "latte",
            "coffee",
            "patio",
            "gluten free"
        ],
        &[
            "{first}'s Diner",
            "The {adj} Egg",
            "{adj} {noun} Cafe",
            "Sunny Side {w}",
            "{city} Breakfast Club",
            "{last}'s Kitchen",
            "The Morning {noun}"
        ],
        &["Up", "Cafe", "Kitchen", "Diner"],
        &["First Watch Diner", "Egg & I", "Pancake Parlor"],
        HoursStyle::Morning,
        RESTAURANT_STAFF,
        &["1", "2"]
    ),
    food!(
        "coffee",
        7.0,
        &[
            ("Food, Coffee & Tea", &[]),
            ("Coffee & Tea, Cafes, Food, Restaurants", &[]),
            ("Food, Coffee & Tea, Bakeries", &["croissant"]),
            ("Coffee Roasteries, Coffee & Tea, Food", &[]),
        ],
        &["coffee", "espresso", "latte"],
        &[
            "cappuccino",
            "croissant",
            "bagel",
            "muffin",
            "tea",
            "chai",
            "scones",
            "smoothie",
            "sandwich",
            "patio"
        ],
        &[
            "{adj} Bean",
            "{noun} Coffee",
            "Café {w}",
            "{adj} {noun} Coffee Roasters",
            "{city} Coffee Co.",
            "The Daily {noun}",
            "{first}'s Café",
            "Grind {w}"
        ],
        &["Noir", "Lumière", "Central", "Bleu", "Moka", "Crema", "House"],
        &["Bean There Coffee", "Daily Grind", "Brew Republic"],
        HoursStyle::Cafe,
        COUNTER_STAFF,
        &["1", "2"]
    ),
    food!(
        "bakery",
        4.0,
        &[
            ("Food, Bakeries, Desserts", &[]),
            ("Bakeries, Food, Cafes, Restaurants", &["coffee"]),
            ("Food, Bakeries, French", &["crème brûlée"]),
        ],
        &["croissant", "cupcakes", "cinnamon rolls", "macarons"],
        &[
            "coffee",
            "cheesecake",
            "crème brûlée",
            "donuts",
            "muffin",
            "bagel",
            "scones",
            "latte",
            "tiramisu",
            "gluten free"
        ],
        &[
            "{first}'s Bakery",
            "{adj} Whisk",
            "Boulangerie {w}",
            "{city} Bakehouse",
            "The {adj} Oven",
            "Pâtisserie {w}",
            "{last} Bread Co."
        ],
        &["Lumière", "Belle", "Étoile", "Jolie", "Dorée", "Paris"],
        &["Sweet Crumb", "Flour Power"],
        HoursStyle::Cafe,
        COUNTER_STAFF,
        &["1", "2"]
    ),
    food!(
        "dessert",
        3.0,
        &[
            ("Food, Ice Cream & Frozen Yogurt, Desserts", &[]),
            ("Desserts, Food, Ice Cream & Frozen Yogurt", &[]),
            ("Ice Cream & Frozen Yogurt, Food, Creperies", &["crepes"]),
        ],
        &["ice cream", "milkshake", "frozen yogurt"],
        &[
            "waffles",
            "cheesecake",
            "crepes",
            "donuts",
            "coffee",
            "cupcakes"
        ],
        &[
            "{adj} Scoop",
            "{first}'s Creamery",
            "{city} Creamery",
            "The {adj} Cone",
            "Scoops {w}",
            "{adj} Spoon Desserts"
        ],
        &["Delight", "Paradise", "Heaven", "Dream"],
        &["Cone Zone", "Sweet Spoon"],
        HoursStyle::Restaurant,
        COUNTER_STAFF,
        &["1"]
    ),
    food!(
        "donuts",
        2.0,
        &[
            ("Food, Donuts, Coffee & Tea", &[]),
            ("Donuts, Food, Bakeries", &[])
        ],
        &["donuts", "coffee"],
        &["latte", "bagel", "muffin", "croissant"],
        &[
            "{first}'s Donuts",
            "{adj} Donut Shop",
            "{city} Donut Co.",
            "Donut {w}"
        ],
        &["Hole", "Stop", "Time", "Factory"],
        &["Dough Bros"],
        HoursStyle::Cafe,
        COUNTER_STAFF,
        &["1"]
    ),
    food!(
        "bagels",
        2.0,
        &[
            ("Food, Bagels, Breakfast & Brunch, Restaurants", &[]),
            ("Bagels, Food, Delis, Restaurants", &["sandwich"]),
        ],
        &["bagel", "coffee"],
        &["sandwich", "latte", "soup", "salmon", "muffin"],
        &[
            "{first}'s Bagels",
            "{city} Bagel Co.",
            "The {adj} Bagel",
            "Bagel {w}"
        ],
        &["Works", "Factory", "Bros", "Express"],
        &["Bagel Brothers"],
        HoursStyle::Morning,
        COUNTER_STAFF,
        &["1"]
    ),
    food!(
        "deli",
        3.0,
        &[
            ("Restaurants, Delis, Sandwiches", &[]),
            ("Sandwiches, Restaurants, Salad", &["salad"]),
            ("Restaurants, Sandwiches, Cheesesteaks", &["cheesesteak"]),
        ],
        &["sandwich", "soup", "pastrami"],
        &["salad", "bagel", "cheesesteak", "fries"],
        &[
            "{last}'s Deli",
            "{first}'s Sandwich Shop",
            "{city} Deli",
            "The {adj} Sub",
            "{last} & {last} Delicatessen"
        ],
        &["Corner", "Express"],
        &["Jersey Subs", "Deli Depot"],
        HoursStyle::Morning,
        COUNTER_STAFF,
        &["1"]
    ),
    food!(
        "sushi",
        5.0,
        &[
            ("Restaurants, Japanese, Sushi Bars", &[]),
            ("Sushi Bars, Restaurants, Japanese, Asian Fusion", &[]),
            ("Japanese, Restaurants", &["udon"]),
        ],
        &["sushi", "tempura", "edamame", "salmon"],
        &[
            "ramen",
            "udon",
            "sake",
            "poke",
            "tea",
            "shrimp",
            "crab",
            "dumplings",
            "happy hour"
        ],
        &[
            "Sushi {w}",
            "{w} Sushi",
            "{w} Japanese Restaurant",
            "Sakura {w}",
            "{w} Sushi & Grill",
            "Izakaya {w}"
        ],
        &[
            "Zen", "Kyoto", "Sakura", "Tokyo", "Hana", "Kaze", "Umi", "Yama", "Kiku", "Ichiban",
            "Koi"
        ],
        &["Sushi Zen", "Wasabi House"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2", "2", "3"]
    ),
    food!(
        "ramen",
        2.0,
        &[
            ("Restaurants, Ramen, Japanese", &[]),
            ("Japanese, Noodles, Ramen, Restaurants", &["noodles"]),
        ],
        &["ramen", "dumplings"],
        &["fried rice", "beer", "udon", "edamame", "bao", "sake"],
        &["{w} Ramen", "Ramen {w}", "{w} Noodle Bar", "Menya {w}"],
        &["Tatsu", "Ippon", "Kaze", "Hachi", "Yume", "Daruma", "Ramen-ya"],
        &["Slurp Shop"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2"]
    ),
    food!(
        "chinese",
        7.0,
        &[
            ("Restaurants, Chinese", &[]),
            ("Chinese, Restaurants, Dim Sum", &["dim sum", "bao"]),
            ("Restaurants, Chinese, Szechuan", &["hot pot"]),
            ("Cantonese, Chinese, Restaurants, Seafood", &["shrimp"]),
        ],
        &[
            "dumplings",
            "fried rice",
            "noodles",
            "orange chicken",
            "soup"
        ],
        &[
            "dim sum",
            "bao",
            "hot pot",
            "shrimp",
            "tea",
            "spring rolls",
            "boba"
        ],
        &[
            "Golden {w}",
            "{w} Garden",
            "China {w}",
            "{w} Palace",
            "Lucky {w}",
            "{w} Kitchen",
            "Jade {w}"
        ],
        &[
            "Dragon",
            "Panda",
            "Lotus",
            "Phoenix",
            "Bamboo",
            "Great Wall",
            "Peking",
            "Jade",
            "Harmony"
        ],
        &["Panda Garden", "Wok This Way"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["1", "2"]
    ),
    food!(
        "vietnamese",
        3.0,
        &[
            ("Restaurants, Vietnamese", &[]),
            ("Vietnamese, Restaurants, Noodles, Sandwiches", &[]),
        ],
        &["pho", "banh mi", "spring rolls", "vermicelli"],
        &["boba", "coffee", "soup", "curry", "fried rice", "noodles"],
        &[
            "Phở {w}",
            "Pho {w}",
            "{w} Vietnamese Cuisine",
            "Saigon {w}",
            "{w} Noodle House"
        ],
        &[
            "Saigon",
            "Hanoi",
            "Hue",
            "Lotus",
            "Mekong",
            "Dalat",
            "Bamboo",
            "Sài Gòn"
        ],
        &["Pho Express"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["1", "2"]
    ),
    food!(
        "thai",
        4.0,
        &[
            ("Restaurants, Thai", &[]),
            ("Thai, Restaurants, Asian Fusion", &[])
        ],
        &["pad thai", "curry", "fried rice", "spring rolls"],
        &["soup", "noodles", "tea", "boba", "dumplings", "gluten free"],
        &[
            "Thai {w}",
            "{w} Thai Cuisine",
            "Bangkok {w}",
            "{w} Thai Kitchen",
            "Taste of {w}"
        ],
        &[
            "Orchid",
            "Siam",
            "Basil",
            "Lotus",
            "Elephant",
            "Chiang Mai",
            "Jasmine",
            "Bangkok"
        ],
        &["Thai Basil Express"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2"]
    ),
    food!(
        "indian",
        3.0,
        &[
            ("Restaurants, Indian", &[]),
            ("Indian, Restaurants, Pakistani", &[]),
            ("Restaurants, Indian, Vegetarian", &["vegan"]),
        ],
        &["curry", "naan", "tikka masala", "biryani", "samosas"],
        &["chai", "lassi", "soup", "vegan", "gluten free"],
        &[
            "Taste of {w}",
            "{w} Palace",
            "{w} Indian Cuisine",
            "Curry {w}",
            "Namaste {w}"
        ],
        &["India", "Punjab", "Bombay", "Delhi", "Masala", "Saffron", "Tandoor", "Kerala"],
        &["Curry Express"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2"]
    ),
    food!(
        "mediterranean",
        4.0,
        &[
            ("Restaurants, Mediterranean, Greek", &[]),
            ("Middle Eastern, Restaurants, Mediterranean", &[]),
            ("Restaurants, Greek, Fast Food", &["fries"]),
        ],
        &["gyro", "falafel", "hummus", "shawarma", "kebab"],
        &["salad", "baklava", "fries", "soup", "vegan"],
        &[
            "{w} Grill",
            "Zorba's {w}",
            "{w} Mediterranean",
            "Cafe {w}",
            "{first}'s Gyros",
            "{w} Kabob House"
        ],
        &[
            "Athena",
            "Olympia",
            "Petra",
            "Zaytoon",
            "Aladdin",
            "Santorini",
            "Beirut",
            "Istanbul",
            "Cedar"
        ],
        &["Pita Pit Stop", "Olive Tree Grill"],
        HoursStyle::Restaurant,
        COUNTER_STAFF,
        &["1", "2"]
    ),
    food!(
        "bbq",
        3.0,
        &[
            ("Restaurants, Barbeque", &[]),
            ("Barbeque, Restaurants, Southern", &["cornbread"]),
            ("Barbeque, Smokehouse, Restaurants", &[]),
        ],
        &["bbq", "brisket", "ribs", "mac and cheese", "pulled pork"],
        &[
            "cornbread",
            "beer",
            "wings",
            "fries",
            "salad",
            "patio",
            "live music"
        ],
        &[
            "{last}'s BBQ",
            "{adj} Smokehouse",
            "{first}'s Bar-B-Q",
            "{city} Smoke Co.",
            "{adj} Pit Barbecue",
            "Smokin' {w}"
        ],
        &["Joe's", "Pig", "Hickory", "Mesquite", "Bones", "Brothers"],
        &["Smoke Stack", "Pig Out Pit"],
        HoursStyle::Restaurant,
        COUNTER_STAFF,
        &["2"]
    ),
    food!(
        "steakhouse",
        3.0,
        &[
            ("Restaurants, Steakhouses", &[]),
            (
                "Steakhouses, American (New), Seafood, Restaurants",
                &["seafood"]
            ),
        ],
        &["steak", "wine", "salmon", "lobster"],
        &[
            "oysters",
            "cheesecake",
            "cocktails",
            "shrimp",
            "soup",
            "crème brûlée",
            "salad",
            "whiskey",
            "happy hour"
        ],
        &[
            "{last}'s Steakhouse",
            "{last} & {last} Prime",
            "The {adj} Chophouse",
            "{city} Prime",
            "{noun} & Steel",
            "{first}'s Steak House"
        ],
        &["Prime", "Chop", "Cut", "Grill"],
        &["Prime Cut Steakhouse"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["3", "4"]
    ),
    food!(
        "seafood",
        4.0,
        &[
            ("Restaurants, Seafood", &[]),
            (
                "Seafood, Restaurants, Cajun/Creole",
                &["gumbo", "po boy", "crawfish"]
            ),
            (
                "Seafood, Restaurants, Bars, Nightlife, Cocktail Bars",
                &["cocktails"]
            ),
        ],
        &["seafood", "oysters", "shrimp", "crab", "clam chowder"],
        &[
            "lobster",
            "salmon",
            "calamari",
            "fish and chips",
            "cocktails",
            "beer",
            "fries",
            "gumbo",
            "jambalaya",
            "po boy",
            "crawfish",
            "patio",
            "happy hour"
        ],
        &[
            "The {adj} Anchor",
            "{last}'s Oyster Bar",
            "{city} Fish House",
            "{adj} Crab Shack",
            "{w} Seafood",
            "Captain {first}'s"
        ],
        &[
            "Harbor",
            "Bayou",
            "Gulf",
            "Pier",
            "Dock",
            "Tide",
            "Shoreline"
        ],
        &["Crab Shack", "Oyster Republic"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2", "3"]
    ),
    food!(
        "southern",
        3.0,
        &[
            ("Restaurants, Southern, Soul Food", &[]),
            ("Chicken Shop, Restaurants, Southern", &[]),
            (
                "Restaurants, Cajun/Creole, Southern",
                &["gumbo", "jambalaya"]
            ),
        ],
        &["fried chicken", "biscuits", "mac and cheese", "cornbread"],
        &[
            "waffles",
            "gumbo",
            "jambalaya",
            "shrimp",
            "po boy",
            "tea",
            "brunch"
        ],
        &[
            "{first}'s Kitchen",
            "Mama {first}'s",
            "{adj} Skillet",
            "{city} Chicken Shack",
            "Southern {w}",
            "{last}'s Soul Food"
        ],
        &["Belle", "Comfort", "Charm", "Table", "Roots"],
        &["Cluckers", "Southern Comfort Kitchen"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["1", "2"]
    ),
    food!(
        "bar",
        7.0,
        &[
            ("Nightlife, Bars, American (Traditional), Restaurants", &[]),
            ("Bars, Nightlife, Pubs, Restaurants", &[]),
            ("Nightlife, Cocktail Bars, Bars", &[]),
            (
                "Nightlife, Sports Bars, Bars, American (Traditional), Restaurants",
                &["wings"]
            ),
            ("Beer Bar, Bars, Nightlife, Breweries, Food", &[]),
            ("Wine Bars, Bars, Nightlife", &["wine"]),
        ],
        &["beer", "cocktails", "happy hour"],
        &[
            "wine",
            "wings",
            "nachos",
            "burger",
            "fries",
            "whiskey",
            "sangria",
            "pizza",
            "patio",
            "live music",
            "onion rings",
            "sandwich"
        ],
        &[
            "The {adj} {noun}",
            "{last}'s Pub",
            "{adj} {noun} Tavern",
            "{city} Taproom",
            "The {noun} & {noun}",
            "{first}'s Bar & Grill",
            "{adj} Dog Saloon"
        ],
        &["Tap", "Lounge", "Taproom", "Alehouse"],
        &["Tap House 9", "The Local Tavern"],
        HoursStyle::Bar,
        RESTAURANT_STAFF,
        &["2"]
    ),
    food!(
        "korean",
        2.0,
        &[
            ("Restaurants, Korean", &[]),
            ("Korean, Barbeque, Restaurants", &["bulgogi"])
        ],
        &["bibimbap", "kimchi", "bulgogi", "fried chicken"],
        &["dumplings", "soup", "noodles", "beer", "hot pot"],
        &[
            "Seoul {w}",
            "{w} Korean BBQ",
            "Gangnam {w}",
            "{w} Korean Kitchen",
            "Kimchi {w}"
        ],
        &["Garden", "House", "Table", "Arirang", "Hanok", "Jeju"],
        &["Seoul Food"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2"]
    ),
    food!(
        "french",
        2.0,
        &[
            ("Restaurants, French", &[]),
            ("French, Restaurants, Creperies, Cafes", &["crepes"]),
            ("French, Brasseries, Restaurants", &["steak"]),
        ],
        &["crepes", "croissant", "crème brûlée", "wine"],
        &["steak", "soup", "salad", "espresso", "salmon", "brunch", "patio"],
        &[
            "Café {w}",
            "Le {w}",
            "La Crêperie {w}",
            "Bistro {w}",
            "Brasserie {w}",
            "Chez {first}"
        ],
        &["Rouge", "Lumière", "Paris", "Étoile", "Provence", "Bleu", "Papillon", "Côte"],
        &["La Petite Crêpe"],
        HoursStyle::Restaurant,
        RESTAURANT_STAFF,
        &["2", "3"]
    ),
    food!(
        "boba",
        3.0,
        &[
            ("Food, Bubble Tea, Juice Bars & Smoothies", &[]),
            ("Bubble Tea, Food, Coffee & Tea", &["coffee"]),
        ],
        &["boba", "tea", "smoothie"],
        &["coffee", "frozen yogurt", "waffles", "ice cream"],
        &[
            "{w} Tea House",
            "Boba {w}",
            "{adj} Pearl",
            "{w} Tea Bar",
            "Tapioca {w}"
        ],
        &[
            "Kung Fu",
            "Lucky",
            "Jade",
            "Moonlight",
            "Sunright",
            "Teaspoon",
            "Cha"
        ],
        &["Tiger Pearl", "Sharetea Express"],
        HoursStyle::Restaurant,
        COUNTER_STAFF,
        &["1"]
    ),
    food!(
        "healthy",
        2.0,
        &[
            ("Restaurants, Vegan, Vegetarian, Salad", &["vegan"]),
            ("Juice Bars & Smoothies, Food, Vegan", &["vegan"]),
            ("Restaurants, Salad, Gluten-Free", &["gluten free"]),
        ],
        &["salad", "smoothie", "acai bowl"],
        &[
            "falafel",
            "hummus",
            "soup",
            "curry",
            "tea",
            "coffee",
            "vegan",
            "gluten free"
        ],
        &[
            "{adj} Leaf",
            "{w} Bowl",
            "Roots {w}",
            "The {adj} Sprout",
            "{city} Juice Co.",
            "Green {w}"
        ],
        &["Earth", "Harvest", "Sprout", "Garden", "Vitality", "Bloom"],
        &["Sweetgreen Bowls", "Juice Junction"],
        HoursStyle::Cafe,
        COUNTER_STAFF,
        &["2"]
    ),
    food!(
        "poke",
        1.0,
        &[("Restaurants, Poke, Hawaiian, Seafood", &[])],
        &["poke", "salmon", "edamame"],
        &["boba", "tea", "acai bowl", "shrimp"],
        &["{w} Poke", "Poke {w}", "Aloha {w}", "{adj} Wave Poke"],
        &["Aloha", "Mahalo", "Ohana", "Kai", "Lanai", "Maui"],
        &["Poke Paradise"],
        HoursStyle::Restaurant,
        COUNTER_STAFF,
        &["2"]
    ),
    food!(
        "wings",
        2.0,
        &[
            ("Restaurants, Chicken Wings", &[]),
            (
                "Chicken Wings, Restaurants, American (Traditional), Sports Bars",
                &["beer"]
            ),
        ],
        &["wings", "fries"],
        &[
            "beer",
            "fried chicken",
            "nachos",
            "onion rings",
            "sandwich",
            "happy hour",
            "salad"
        ],
        &[
            "{first}'s Wings",
            "{adj} Wing Shack",
            "{city} Wing Co.",
            "Wing {w}",
            "The {adj} Flap"
        ],
        &["Zone", "House", "Factory", "Nation", "Stop"],
        &["Wing Nation", "Buffalo Blitz"],
        HoursStyle::Bar,
        RESTAURANT_STAFF,
        &["1", "2"]
    ),
    food!(
        "hotdogs",
        2.0,
        &[
            ("Restaurants, Fast Food, Hot Dogs", &[]),
            ("Hot Dogs, Restaurants, Burgers", &["burger"]),
        ],
        &["hot dog", "fries"],
        &[
            "burger",
            "milkshake",
            "onion rings",
            "cheesesteak",
            "ice cream"
        ],
        &[
            "{first}'s Dogs",
            "{adj} Dog Stand",
            "{city} Frank House",
            "Top {w}"
        ],
        &["Dog", "Frank", "Doggery"],
        &["Frank & Stein"],
        HoursStyle::Restaurant,
        COUNTER_STAFF,
        &["1"]
    ),
];

macro_rules! other {
    ($key:expr, $cats:expr, $names:expr, $words:expr, $hours:expr, $staff:expr, $things:expr) => {
        Archetype {
            key: $key,
            weight: 1.0,
            categories: $cats,
            core: &[],
            extra: &[],
            names: $names,
            words: $words,
            chains: &[],
            hours: $hours,
            staff: $staff,
            things: $things,
            price: &["2"],
        }
    };
}

/// Businesses without a menu.
pub(super) static OTHER: &[Archetype] = &[
    other!(
        "salon",
        &[
            ("Beauty & Spas, Hair Salons", &[]),
            ("Hair Salons, Beauty & Spas, Hair Stylists, Barbers", &[]),
        ],
        &[
            "Shear {w} Salon",
            "{first}'s Hair Studio",
            "Salon {w}",
            "The {adj} Comb",
            "{city} Hair Co."
        ],
        &["Elegance", "Bliss", "Allure", "Lux", "Envy", "Bella"],
        HoursStyle::Shop,
        &["stylist", "receptionist", "colorist"],
        &["haircut", "color", "highlights", "blowout", "trim"]
    ),
    other!(
        "nails",
        &[
            ("Beauty & Spas, Nail Salons", &[]),
            ("Nail Salons, Beauty & Spas, Waxing", &[])
        ],
        &[
            "{w} Nails",
            "{adj} Nail Spa",
            "Nails by {first}",
            "{city} Nail Bar"
        ],
        &["Luxury", "Diamond", "Pink", "Polished", "Venus"],
        HoursStyle::Shop,
        &["nail tech", "technician"],
        &["manicure", "pedicure", "gel nails", "fill"]
    ),
    other!(
        "auto",
        &[
            ("Automotive, Auto Repair, Oil Change Stations", &[]),
            ("Auto Repair, Automotive, Tires", &[]),
        ],
        &[
            "{last} Auto Repair",
            "{adj} Auto Care",
            "{city} Tire & Auto",
            "{first}'s Garage",
            "{last} & Sons Automotive"
        ],
        &["Precision", "Pro", "Express", "Honest"],
        HoursStyle::Shop,
        &["mechanic", "service advisor", "tech"],
        &[
            "oil change",
            "brake job",
            "alignment",
            "tire rotation",
            "inspection"
        ]
    ),
    other!(
        "hotel",
        &[
            ("Hotels & Travel, Hotels, Event Planning & Services", &[]),
            (
                "Event Planning & Services, Hotels, Hotels & Travel, Venues & Event Spaces",
                &[]
            ),
        ],
        &[
            "{city} Inn & Suites",
            "The {adj} Hotel",
            "{w} Hotel {city}",
            "{last} House Inn"
        ],
        &["Grand", "Plaza", "Regency", "Park", "Royal"],
        HoursStyle::AllDay,
        &["front desk clerk", "concierge", "housekeeper"],
        &["room", "stay", "check-in", "suite"]
    ),
    other!(
        "dentist",
        &[("Health & Medical, Dentists, General Dentistry", &[])],
        &[
            "{last} Family Dentistry",
            "{adj} Smile Dental",
            "{city} Dental Care",
            "Dr. {last}, DDS"
        ],
        &["Bright", "Gentle", "Bright"],
        HoursStyle::Shop,
        &["hygienist", "dentist", "receptionist"],
        &["cleaning", "filling", "crown", "checkup"]
    ),
    other!(
        "gym",
        &[
            ("Active Life, Gyms, Fitness & Instruction", &[]),
            ("Fitness & Instruction, Yoga, Active Life", &[])
        ],
        &[
            "{adj} Fitness",
            "{city} Athletic Club",
            "{w} Gym",
            "{adj} Yoga Studio"
        ],
        &["Iron", "Core", "Peak", "Forge"],
        HoursStyle::Shop,
        &["trainer", "instructor", "front desk staff"],
        &["membership", "class", "training session"]
    ),
    other!(
        "pets",
        &[("Pets, Pet Services, Pet Groomers", &[])],
        &[
            "{adj} Paws Grooming",
            "{first}'s Pet Spa",
            "{city} Pet Care",
            "Happy Tails {w}"
        ],
        &["Grooming", "Spa", "Salon"],
        HoursStyle::Shop,
        &["groomer", "vet tech"],
        &["grooming", "nail trim", "bath"]
    ),
    other!(
        "books",
        &[("Shopping, Books, Mags, Music & Video, Bookstores", &[])],
        &[
            "{adj} Page Books",
            "{last}'s Bookshop",
            "{city} Book Exchange",
            "The {adj} Shelf"
        ],
        &["Books", "Reads"],
        HoursStyle::Shop,
        &["cashier", "owner"],
        &["special order", "gift", "purchase"]
    ),
];

/// A city of the synthetic dataset.
pub(super) struct City {
    /// Name as usually written.
    pub name: &'static str,
    /// Other spellings found in the data ("St. Louis" for "Saint Louis").
    pub alt_names: &'static [&'static str],
    /// Two-letter state or province.
    pub state: &'static str,
    /// Centre latitude.
    pub lat: f64,
    /// Centre longitude.
    pub lon: f64,
    /// Canadian (postal codes "A1A 1A1") or US (5-digit zip).
    pub canadian: bool,
    /// US: first zip number used for extra zipcodes; Canada: the first two characters.
    pub zip_base: &'static str,
}

const fn city(
    name: &'static str,
    alt_names: &'static [&'static str],
    state: &'static str,
    lat: f64,
    lon: f64,
    canadian: bool,
    zip_base: &'static str,
) -> City {
    City {
        name,
        alt_names,
        state,
        lat,
        lon,
        canadian,
        zip_base,
    }
}

/// Cities, US and Canadian (Yelp Open Dataset metro areas and suburbs).
pub(super) static CITIES: &[City] = &[
    city("Champaign", &[], "IL", 40.1164, -88.2434, false, "61850"),
    city("Urbana", &[], "IL", 40.1106, -88.2073, false, "61870"),
    city("Philadelphia", &[], "PA", 39.9526, -75.1652, false, "19160"),
    city("Edmonton", &[], "AB", 53.5461, -113.4938, true, "T6"),
    city("Tampa", &[], "FL", 27.9506, -82.4572, false, "33650"),
    city("Nashville", &[], "TN", 36.1627, -86.7816, false, "37250"),
    city("Tucson", &[], "AZ", 32.2226, -110.9747, false, "85760"),
    city("Indianapolis", &[], "IN", 39.7684, -86.1581, false, "46270"),
    city("New Orleans", &[], "LA", 29.9511, -90.0715, false, "70150"),
    city("Reno", &[], "NV", 39.5296, -119.8138, false, "89540"),
    city(
        "Santa Barbara",
        &[],
        "CA",
        34.4208,
        -119.6982,
        false,
        "93150",
    ),
    city(
        "Saint Louis",
        &["St. Louis", "St Louis"],
        "MO",
        38.6270,
        -90.1994,
        false,
        "63150",
    ),
    city("Boise", &[], "ID", 43.6150, -116.2023, false, "83750"),
    city("Cherry Hill", &[], "NJ", 39.9348, -75.0307, false, "08050"),
    city("Metairie", &[], "LA", 29.9841, -90.1529, false, "70050"),
    city("Clearwater", &[], "FL", 27.9659, -82.8001, false, "33770"),
    city("Sparks", &[], "NV", 39.5349, -119.7527, false, "89450"),
    city(
        "St. Albert",
        &["Saint Albert"],
        "AB",
        53.6305,
        -113.6256,
        true,
        "T8",
    ),
    city("Franklin", &[], "TN", 35.9251, -86.8689, false, "37080"),
    city("Carmel", &[], "IN", 39.9784, -86.1180, false, "46050"),
];

/// The fixed, ordered list of zipcodes (normalised form, city index). A dataset with `n`
/// zipcodes uses the first `n` of these (extended by synthesised ones past the end).
pub(super) static ZIPS: &[(&str, usize)] = &[
    ("61820", 0),
    ("19103", 2),
    ("T6E 1Z9", 3),
    ("33602", 4),
    ("37203", 5),
    ("85705", 6),
    ("46204", 7),
    ("70112", 8),
    ("89501", 9),
    ("93101", 10),
    ("63101", 11),
    ("83702", 12),
    ("08002", 13),
    ("T5J 0N3", 3),
    ("61801", 1),
    ("19107", 2),
    ("33606", 4),
    ("37206", 5),
    ("85719", 6),
    ("46225", 7),
    ("70130", 8),
    ("89502", 9),
    ("93103", 10),
    ("63104", 11),
    ("83706", 12),
    ("70001", 14),
    ("33755", 15),
    ("89431", 16),
    ("T8N 3L3", 17),
    ("37064", 18),
    ("46032", 19),
    ("61821", 0),
    ("19147", 2),
    ("T6G 2R3", 3),
    ("33609", 4),
    ("37212", 5),
    ("85710", 6),
    ("46202", 7),
    ("70115", 8),
    ("89509", 9),
];

/// Relative zipcode sizes, cycled over the zipcode list: the first zipcode is the biggest,
/// and the biggest are three times the smallest.
pub(super) static ZIP_WEIGHTS: &[f64] = &[3.0, 1.0, 2.0, 1.0, 1.5, 1.0, 2.5, 1.0, 1.2, 1.0];

/// First names for business names and servers.
pub(super) static FIRST: &[&str] = &[
    "Luigi", "Mario", "Rosa", "Tony", "Sal", "Maria", "Joe", "Sam", "Ana", "Lily", "Mike", "Kate",
    "Rick", "Sophie", "Carlos", "Mei", "Raj", "Nadia", "Yuki", "Pierre", "Bella", "Gus", "Frank",
    "Lucy", "Dee", "Hank", "Ruby", "Omar", "Priya", "Jules", "Marco", "Elena", "Zoë", "José",
    "Chloé",
];

/// Last names for business names.
pub(super) static LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Rossi",
    "Nguyen",
    "Kim",
    "Patel",
    "O'Brien",
    "Murphy",
    "Schmidt",
    "Kowalski",
    "Romano",
    "Moreau",
    "Tanaka",
    "Chen",
    "Lopez",
    "Brown",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Thompson",
    "Martinez",
    "Russo",
    "Bianchi",
    "Dubois",
    "Park",
    "Lee",
    "Singh",
    "Haddad",
    "Jackson",
    "Walker",
    "Young",
    "Hernandez",
    "King",
    "Wright",
    "Doyle",
    "Fitzgerald",
    "Okafor",
    "Larsen",
];

/// Adjectives for business names.
pub(super) static NAME_ADJ: &[&str] = &[
    "Golden", "Little", "Blue", "Red", "Happy", "Lucky", "Rustic", "Hungry", "Copper", "Silver",
    "Urban", "Old", "Green", "Wild", "Humble", "Sunny", "Crimson", "Iron", "Salty", "Rusty",
];

/// Nouns for business names.
pub(super) static NAME_NOUN: &[&str] = &[
    "Spoon", "Fork", "Table", "Lantern", "Oak", "Barrel", "Anchor", "Hearth", "Pantry", "Plate",
    "Ladle", "Sparrow", "Fox", "Owl", "Mill", "Garden", "Corner", "Kettle", "Crow", "Bell",
];

/// Street names (US).
pub(super) static STREETS: &[&str] = &[
    "Main",
    "Green",
    "University",
    "Oak",
    "Maple",
    "Market",
    "Broadway",
    "Washington",
    "Lincoln",
    "Jefferson",
    "Park",
    "Elm",
    "Walnut",
    "Chestnut",
    "Pine",
    "Cedar",
    "Lake",
    "Hill",
    "Church",
    "Spring",
    "2nd",
    "3rd",
    "4th",
    "5th",
    "Neil",
    "Magnolia",
    "Kirby",
    "Colfax",
];

/// Street suffixes (US).
pub(super) static STREET_SUFFIX: &[&str] = &["St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Pkwy"];
