"""Word lists and string helpers for `sparkify generate`: names that look like the real Sparkify data
(apostrophes, non-ASCII letters, slashes) and the JSON escaping the real files use."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii

# Title words; a few carry apostrophes or non-ASCII letters on purpose (SQL quoting, encodings).
TITLE_WORDS = """Love Heart Night Day Time Life World Girl Boy Baby Dream Fire Rain Sun Moon Star
Stars Blue Red Black White Gold Silver Golden Little Big Young Old New Last First
Lost Found Wild Free Sweet Cold Hot Dark Light Home Road Street City Town River
Ocean Sea Sky Wind Storm Thunder Summer Winter Spring Autumn Morning Midnight
Evening Tonight Tomorrow Yesterday Forever Never Always Again Away Back Down Up Out
In On Over Under Inside Outside Everything Nothing Something Someone Nobody
Everybody Heaven Hell Angel Devil Soul Spirit Ghost Shadow Mirror Window Door Wall
Bridge Train Car Highway Radio Music Song Songs Dance Dancing Rock Roll Blues Jazz
Soul Groove Beat Rhythm Party Kiss Kisses Tears Eyes Hands Lips Face Mind Body
Blood Bones Skin Touch Feel Feeling Feelings Fall Falling Rise Rising Run Running
Walk Walking Talk Talking Say Tell Call Calling Come Coming Go Going Stay Leave
Leaving Stand Standing Hold Holding Let Letting Give Take Make Break Breaking
Broken Shine Shining Burn Burning Cry Crying Smile Laugh Sing Singing Play Playing
Wait Waiting Remember Forget Believe Want Need Know Lonely Alone Together Crazy
Beautiful Perfect Simple Strange Happy Sad Bad Good Better Best Only Real True Dead
Alive Loose Easy Hard Slow Fast High Low Long Short Deep Green Purple Orange Silent
Loud Holy Sacred Secret Hidden Electric Magic Crystal Diamond Paper Glass Stone
Steel Iron Velvet Honey Sugar Candy Cherry Lemon Wine Whiskey Coffee Water Mountain
Valley Desert Island Garden Forest Jungle Paradise Memory Memories Story Stories
Letter Promise Chance Reason Question Answer Trouble Danger Freedom Revolution
Kingdom Empire Machine Engine Satellite Planet Universe Space Rocket Shelter Harbor
Lighthouse Carnival Circus Cowboy Sailor Soldier Lover Stranger Friend Friends
Brother Sister Mother Father Children King Queen Prince Princess Jesus Mary Maria
Johnny Jenny California Texas Memphis Paris London Berlin Tokyo Havana Mexico
Brooklyn Chicago Vegas Detroit Boogie Don't Can't Won't I'm You're It's Ain't
Lovin' Rock'n'Roll Nothin' Somebody's Tonight's Rollin' Goin' Talkin' Corazón
Mañana Café Für Über Déjà Señorita Naïve Fiançée Noël Été Niño Canción Amor Mädchen
Smörgåsbord Ångström Sommarnätter Łódź Жизнь""".split()

TITLE_SUFFIXES = [
    "(Album Version)",
    "(LP Version)",
    "(Live)",
    "(Remastered)",
    "(Radio Edit)",
    "(Explicit)",
    "(Acoustic)",
    "(Remix)",
    "(Demo)",
    "(Single Version)",
    "(Instrumental)",
    "(Extended Mix)",
    "(Live At Wembley)",
    "(Remastered LP Version)",
    "(feat. DJ Kool)",
    "(Edit)",
]

BAND_NOUNS = """Wolves Tigers Lions Ravens Crows Sparrows Foxes Bears Horses Sharks Snakes Dragons
Monkeys Kings Queens Knights Saints Sinners Angels Devils Ghosts Strangers Rebels
Outlaws Pilots Astronauts Machines Robots Engines Rockets Comets Planets Stars
Lights Shadows Mirrors Doors Keys Stones Bones Roses Lilies Daisies Flowers Trees
Rivers Waves Storms Clouds Hearts Souls Spirits Brothers Sisters Sons Daughters Boys
Girls Kids Lovers Dreamers Drifters Wanderers Ramblers Hustlers Shakers Movers
Killers Heroes Villains Prophets Preachers Monks Pirates Sailors Cowboys Vampires
Zombies Martians Giants Dwarves Elephants Dolphins Owls Hawks Eagles Beatniks Mods
Rockers Punks Hippies Noise Conspiracy Collective Orchestra Ensemble Quartet Trio
Band Project Experience Sound System Club Society Company Brigade Union Alliance
Federation Republic Empire Kingdom Nation Tribe Family Gang Crew Posse""".split()

BAND_ADJECTIVES = """Black White Red Blue Green Golden Silver Electric Neon Velvet Crystal Atomic
Cosmic Wild Lonely Broken Burning Flying Dancing Screaming Silent Hidden Secret
Lost Forgotten Holy Sacred Dirty Pretty Ugly Beautiful Crazy Mad Happy Sad
Young Old Little Big Tiny Giant Modern Ancient Future Radio Digital Magnetic
Psychedelic Northern Southern Eastern Western Midnight Morning Summer Winter
Royal Imperial Naked Savage Gentle Sweet Bitter Sour Strange Curious Nervous
Rusty Shiny Hollow Empty Heavy Loose Rolling Smashing Flaming Raging Howling
Whispering Dead Living""".split()

FIRST_F = """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa
Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa
Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda
Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet
Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren
Christina Joan Evelyn Judith Megan Andrea Cheyenne Hannah Jacqueline Martha Gloria
Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace
Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany
Charlotte Marie Kayla Alexis Lori Lily Chloe Aleena Anabelle Jacqueline Layla Kaylee
Tegan Sylvie Zoë Renée Chloé Agnès Inés Björk Siobhán Åsa""".split()

FIRST_M = """James Robert John Michael William David Richard Joseph Thomas Charles Christopher
Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George
Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen
Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack
Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter
Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence
Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan Juan Wayne
Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis Jayden Rylan
Wyatt Colm Lucas José André Søren Jürgen François Zoltán Łukasz""".split()

LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres
Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales
Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos
Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes
Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Koch Kirby Simpson
Cuevas Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace
Moreno West O'Brien O'Connor D'Angelo O'Neill D'Amato Müller Peña Núñez Gonçalves Ødegaard
Dvořák Björnsson Schäfer Lefèvre""".split()

# Metro areas in the format of the real user locations ("City-City, ST").
USER_LOCATIONS = """San Francisco-Oakland-Hayward, CA|Portland-South Portland, ME
|Lansing-East Lansing, MI|Chicago-Naperville-Elgin, IL-IN-WI
|Atlanta-Sandy Springs-Roswell, GA|Waterloo-Cedar Falls, IA
|Lake Havasu City-Kingman, AZ|San Jose-Sunnyvale-Santa Clara, CA
|Tampa-St. Petersburg-Clearwater, FL|New York-Newark-Jersey City, NY-NJ-PA
|Philadelphia-Camden-Wilmington, PA-NJ-DE-MD
|Washington-Arlington-Alexandria, DC-VA-MD-WV|Los Angeles-Long Beach-Anaheim, CA
|Houston-The Woodlands-Sugar Land, TX|Dallas-Fort Worth-Arlington, TX
|Miami-Fort Lauderdale-West Palm Beach, FL|Boston-Cambridge-Newton, MA-NH
|Phoenix-Mesa-Scottsdale, AZ|Seattle-Tacoma-Bellevue, WA
|Minneapolis-St. Paul-Bloomington, MN-WI|San Diego-Carlsbad, CA
|Denver-Aurora-Lakewood, CO|St. Louis, MO-IL|Baltimore-Columbia-Towson, MD
|Charlotte-Concord-Gastonia, NC-SC|Orlando-Kissimmee-Sanford, FL
|San Antonio-New Braunfels, TX|Sacramento--Roseville--Arden-Arcade, CA
|Pittsburgh, PA|Las Vegas-Henderson-Paradise, NV|Austin-Round Rock, TX
|Cincinnati, OH-KY-IN|Kansas City, MO-KS|Columbus, OH
|Indianapolis-Carmel-Anderson, IN|Cleveland-Elyria, OH
|Nashville-Davidson--Murfreesboro--Franklin, TN
|Virginia Beach-Norfolk-Newport News, VA-NC|Providence-Warwick, RI-MA
|Milwaukee-Waukesha-West Allis, WI|Jacksonville, FL|Memphis, TN-MS-AR
|Oklahoma City, OK|Louisville/Jefferson County, KY-IN|Richmond, VA
|New Orleans-Metairie, LA|Raleigh, NC|Salt Lake City, UT|Birmingham-Hoover, AL
|Buffalo-Cheektowaga-Niagara Falls, NY|Red Bluff, CA|Winston-Salem, NC
|Tucson, AZ|Santa Maria-Santa Barbara, CA|Marinette, WI-MI|Elkhart-Goshen, IN
|Janesville-Beloit, WI|Eugene, OR|Myrtle Beach-Conway-North Myrtle Beach, SC-NC
|Ogden-Clearfield, UT|Spokane-Spokane Valley, WA|Yuba City, CA|Anchorage, AK
|Detroit-Warren-Dearborn, MI""".replace("\n", "").split("|")

# Real browser strings of the period. Those with a comma are wrapped in literal double quotes, as in the
# real logs (a CSV export artefact that survived into the JSON).
USER_AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.78.2 (KHTML, like Gecko) Version/7.0.6 Safari/537.78.2",  # noqa: E501
    "Mozilla/5.0 (Windows NT 5.1; rv:31.0) Gecko/20100101 Firefox/31.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/37.0.2062.94 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:31.0) Gecko/20100101 Firefox/31.0",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.125 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Windows NT 6.3; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.77.4 (KHTML, like Gecko) Version/7.0.5 Safari/537.77.4",  # noqa: E501
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0",
    "Mozilla/5.0 (Windows NT 5.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Windows NT 6.3; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.125 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/37.0.2062.94 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:30.0) Gecko/20100101 Firefox/30.0",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:32.0) Gecko/20100101 Firefox/32.0",
    "Mozilla/5.0 (Windows NT 6.1; rv:31.0) Gecko/20100101 Firefox/31.0",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10) AppleWebKit/538.46 (KHTML, like Gecko) Version/8.0 Safari/538.46",  # noqa: E501
    "Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0",
]

# Artist home towns: (location, latitude, longitude); latitude None = location known, coordinates not.
ARTIST_PLACES: list[tuple[str, float | None, float | None]] = [
    ("San Francisco, CA", 37.77916, -122.42005),
    ("Memphis, TN", 35.14968, -90.04892),
    ("London, England", 51.50632, -0.12714),
    ("Brooklyn, NY", 40.65507, -73.94888),
    ("Denver, CO", 39.74001, -104.99226),
    ("Long Beach, CA", 33.76672, -118.1924),
    ("Liverpool, England", 53.41058, -2.97794),
    ("Chicago, IL", 41.88415, -87.63241),
    ("Portland, OR", 45.51179, -122.67563),
    ("Boston, MA", 42.31256, -71.08868),
    ("New York, NY", 40.71455, -74.00712),
    ("Berlin, Germany", 52.51607, 13.37698),
    ("Toronto, Ontario, Canada", 43.64856, -79.38533),
    ("Nashville, TN", 36.16778, -86.77836),
    ("Detroit, MI", 42.33168, -83.04792),
    ("Seattle, WA", 47.60356, -122.32944),
    ("Austin, TX", 30.26715, -97.74306),
    ("Atlanta, GA", 33.74831, -84.39111),
    ("Kingston, Jamaica", 17.99702, -76.79358),
    ("Paris, France", 48.85692, 2.34121),
    ("Stockholm, Sweden", 59.33217, 18.06243),
    ("Reykjavík, Iceland", 64.13548, -21.89541),
    ("São Paulo, Brazil", -23.56288, -46.65468),
    ("Montréal, Québec, Canada", 45.51228, -73.55439),
    ("Zürich, Switzerland", 47.37706, 8.53951),
    ("México D.F., México", 19.43195, -99.13315),
    ("Torelló / Barcelona", 41.38818, 2.16992),
    ("Melbourne, Australia", -37.81753, 144.96715),
    ("Dublin, Ireland", 53.34376, -6.24953),
    ("Los Angeles, CA", 34.05349, -118.24532),
    ("Goldsmith's College, Lewisham, Lo", 51.4536, -0.01802),
    ("Lagos, Nigeria", 6.45306, 3.39583),
    ("New Jersey", None, None),
    ("California - LA", None, None),
    ("Great Britain / UK", None, None),
    ("SWEDEN", None, None),
    ("B-More", None, None),
    ("NEW YORK, New York", None, None),
    ("United States", None, None),
    ("Clarks Town, Jamaica", None, None),
    (" Ubá, Minas Gerais", None, None),
    ("Burlington, Ontario, Canada", None, None),
    ("Texas", None, None),
    ("Wisner, LA", None, None),
]


def json_str(text: str) -> str:
    """A JSON string literal escaped like the real files: ASCII only (\\u escapes) and "/" as "\\/"."""
    return encode_basestring_ascii(text).replace("/", "\\/")


def mojibake(text: str) -> str:
    """UTF-8 decoded as Latin-1 twice: how non-ASCII song and artist names look in the real logs."""
    if text.isascii():
        return text
    for _ in range(2):
        text = text.encode("utf-8").decode("latin-1")
    return text
