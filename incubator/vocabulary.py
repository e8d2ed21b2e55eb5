"""Shared word lists: challenge areas, impact areas, Los Angeles neighbourhoods, venture needs,
languages, what partners offer."""

from incubator.services.scorecard.geography import neighbourhood_names

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

# What funders may name as their focus besides challenge areas. Ventures pick their impact
# areas from the scorecard's impact areas (a table managers edit), not from this list.
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

# Where ventures and partners work: the 114 City of Los Angeles neighbourhoods (Mapping L.A.,
# shipped as incubator/data/la_neighbourhoods.geojson), after "Citywide" for the whole city.
CITYWIDE = "Citywide"
NEIGHBOURHOODS = [CITYWIDE, *neighbourhood_names()]

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
