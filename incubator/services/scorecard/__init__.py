"""The city's impact scorecard: metrics by area of impact and by neighbourhood, against targets.

Pure modules (no Flask, no database): `cityscore` (scores and statuses), `periods`,
`geography` (the neighbourhoods and point-in-polygon placement), `names` (matching a written
answer to neighbourhood names) and `drawing` (the SVG map and sparklines). The others are
services over the database: `reference`, `catalogue`, `places`, `observations`, `derivation`,
`public` and `demo`.
"""
