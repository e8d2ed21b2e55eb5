"""Shared word lists: challenge areas, impact areas, Los Angeles neighbourhoods, venture needs,
languages, what partners offer.

The words are stored as they are written here, in English, whatever the language of the
person who chose them; each is marked (N_) for the catalogue and shown translated where it is
shown (forms.same_choices, the `vocabulary_label` filter). The neighbourhoods are names and
stay as they are, but for "Citywide".
"""

from incubator.i18n import N_
from incubator.services.scorecard.geography import neighbourhood_names

CHALLENGE_AREAS = [
    N_("Water and drought"),
    N_("New-immigrant integration"),
    N_("Transportation and mobility"),
    N_("Housing and homelessness"),
    N_("Public safety"),
    N_("Health"),
    N_("Economic opportunity"),
    N_("Environment and climate"),
    N_("Civic engagement"),
    N_("Education"),
]

# What funders may name as their focus besides challenge areas. Ventures pick their impact
# areas from the scorecard's impact areas (a table managers edit), not from this list.
IMPACT_AREAS = [
    N_("Water conservation"),
    N_("Clean air"),
    N_("Safe streets"),
    N_("Access to services"),
    N_("Jobs and income"),
    N_("Housing stability"),
    N_("Language access"),
    N_("Digital inclusion"),
    N_("Public health"),
    N_("Open government"),
]

# Where ventures and partners work: the 114 City of Los Angeles neighbourhoods (Mapping L.A.,
# shipped as incubator/data/la_neighbourhoods.geojson), after "Citywide" for the whole city.
CITYWIDE = N_("Citywide")
NEIGHBOURHOODS = [CITYWIDE, *neighbourhood_names()]

NEEDS = [
    N_("Mentors"),
    N_("Data access"),
    N_("Pilot site"),
    N_("Procurement path"),
    N_("Introductions"),
    N_("Funding"),
    N_("Legal"),
    N_("Design"),
    N_("Engineering"),
    N_("Marketing"),
]

# Languages mentors speak: English first, then the languages most spoken at home in Los Angeles.
LANGUAGES = [
    N_("English"),
    N_("Spanish"),
    N_("Korean"),
    N_("Mandarin"),
    N_("Cantonese"),
    N_("Tagalog"),
    N_("Vietnamese"),
    N_("Armenian"),
    N_("Farsi"),
    N_("Russian"),
    N_("Japanese"),
    N_("Arabic"),
    N_("Hindi"),
    N_("Khmer"),
    N_("Thai"),
    N_("Hebrew"),
    N_("French"),
    N_("Portuguese"),
    N_("American Sign Language"),
]

# What a partner organisation can offer a venture as a pilot user.
OFFERS = [
    N_("data"),
    N_("pilot site"),
    N_("procurement path"),
    N_("distribution"),
    N_("expert staff"),
]
