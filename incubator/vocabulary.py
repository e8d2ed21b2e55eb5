"""Shared word lists: challenge areas, impact areas, Los Angeles neighbourhoods, venture needs,
languages, what partners offer."""

CHALLENGE_AREAS = [
    "Water and drought",
    "New-immigrant integration",
    "Transportation and mobility",
    "Housing and homelessness",
    "Public safety",
    "Health",
    "Economic opportunity",
    "Environment and climate",
    "Civic engagement",
    "Education",
]

IMPACT_AREAS = [
    "Water conservation",
    "Clean air",
    "Safe streets",
    "Access to services",
    "Jobs and income",
    "Housing stability",
    "Language access",
    "Digital inclusion",
    "Public health",
    "Open government",
]

NEIGHBOURHOODS = [
    "Boyle Heights",
    "Downtown",
    "East Hollywood",
    "Highland Park",
    "Koreatown",
    "Pacoima",
    "San Pedro",
    "South Los Angeles",
    "Sylmar",
    "Van Nuys",
    "Venice",
    "Watts",
    "Westlake",
    "Wilmington",
    "Citywide",
]

NEEDS = [
    "Mentors",
    "Data access",
    "Pilot site",
    "Procurement path",
    "Introductions",
    "Funding",
    "Legal",
    "Design",
    "Engineering",
    "Marketing",
]

# Languages mentors speak: English first, then the languages most spoken at home in Los Angeles.
LANGUAGES = [
    "English",
    "Spanish",
    "Korean",
    "Mandarin",
    "Cantonese",
    "Tagalog",
    "Vietnamese",
    "Armenian",
    "Farsi",
    "Russian",
    "Japanese",
    "Arabic",
    "Hindi",
    "Khmer",
    "Thai",
    "Hebrew",
    "French",
    "Portuguese",
    "American Sign Language",
]

# What a partner organisation can offer a venture as a pilot user.
OFFERS = ["data", "pilot site", "procurement path", "distribution", "expert staff"]
