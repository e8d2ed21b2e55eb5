"""scorecard: neighbourhoods, impact areas, metrics, observations, sources, KPI mappings, pilot sites

Revision ID: 0009_scorecard
Revises: 0008_edit_versions
Create Date: 2026-11-30

Besides the tables, the upgrade seeds the reference data (a frozen copy of what
incubator/services/scorecard/reference.py seeds today): the 114 neighbourhoods, read from the
GeoJSON shipped with the app, with the Promise Zone flag; the impact areas; the starter
metrics. It then moves ventures from the old word lists onto them:

- impact areas: each old word becomes the seeded area it belongs to (below); a word in use
  that is neither becomes an area of its own, so nothing a venture said is lost;
- neighbourhoods (ventures and partner profiles): "South Los Angeles", a region rather than
  one of the 114, becomes Historic South-Central; the other old names are Mapping L.A. names
  already, and "Citywide" stays.

The downgrade drops the tables and leaves the ventures' lists as they are.
"""
import json
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_scorecard'
down_revision = '0008_edit_versions'
branch_labels = None
depends_on = None

GEOJSON = Path(__file__).resolve().parents[2] / 'incubator' / 'data' / 'la_neighbourhoods.geojson'
PROMISE_ZONE = ('Hollywood', 'East Hollywood', 'Koreatown', 'Pico-Union', 'Westlake')

IMPACT_AREAS = [
    ('jobs', 'Jobs', 'promise_zone', 'Create jobs, held by residents.'),
    ('economic_activity', 'Economic activity', 'promise_zone', 'Increase economic activity: ventures started, kept going and earning.'),
    ('education', 'Education', 'promise_zone', 'Improve educational opportunity.'),
    ('public_safety', 'Public safety', 'promise_zone', 'Reduce crime and make streets safer.'),
    ('private_investment', 'Private investment', 'promise_zone', "Leverage private investment in the city's ventures."),
    ('housing', 'Housing', 'promise_zone', 'Increase access to quality, affordable housing.'),
    ('health', 'Health', 'promise_zone', 'Improve public health.'),
    ('water', 'Water and drought', 'hackathon_theme', '#techLA: drought management and water conservation.'),
    ('immigrant_integration', 'Immigrant integration', 'hackathon_theme', '#techLA: welcoming and integrating new immigrants.'),
    ('transportation', 'Transportation', 'hackathon_theme', '#techLA: transportation and mobility.'),
    ('civic_pilots', 'Civic pilots with city departments', 'civic_pilots', 'Pilots with city departments, and the ones the city adopts.'),
]

# (code, name, area, unit, unit label, frequency, derivation, IRIS+ code, description)
STARTER_METRICS = [
    ('ventures_supported', 'Ventures supported', 'economic_activity', 'count', 'ventures', 'monthly', 'ventures_supported', None,
     'Ventures in an Accelerate: LA cohort during the period, from their entry into the pipeline: once for the city, and in every neighbourhood a venture serves.'),
    ('jobs_created', 'Jobs created', 'jobs', 'count', 'jobs', 'monthly', 'check_in_kpis', 'PI3687',
     "Growth of the ventures' teams over the period, from the team size in their weekly check-ins."),
    ('local_jobs', 'Jobs held by local residents', 'jobs', 'percent', "of the ventures' jobs", 'quarterly', None, None,
     "The share of the ventures' jobs held by residents of the City of Los Angeles, from the program's quarterly employment survey."),
    ('capital_raised', 'Capital raised', 'private_investment', 'usd', '', 'monthly', 'capital_raised', None,
     "Grants, SAFEs, equity and loans the ventures received, as recorded with their investments; a venture's amount is shared equally among the neighbourhoods it serves."),
    ('revenue', 'Revenue', 'economic_activity', 'usd', '', 'monthly', 'check_in_kpis', None,
     "The ventures' revenue, added up from their weekly check-ins."),
    ('city_pilots_signed', 'City pilots signed', 'civic_pilots', 'count', 'pilots', 'monthly', 'city_pilots_signed', None,
     'Pilots with city departments that started in the period, counted where their sites are (or, without sites, where the venture works).'),
    ('pilots_adopted', 'Pilots adopted', 'civic_pilots', 'count', 'pilots', 'monthly', 'pilots_adopted', None,
     'Completed pilots the partner kept, counted in the period the pilot ended.'),
    ('residents_served', 'Residents served', 'civic_pilots', 'count', 'residents', 'monthly', 'residents_served', None,
     "Residents or users the ventures' pilots reached, counted in the period each pilot ended and shared among the neighbourhoods of its sites."),
    ('survival_1y', 'One-year survival of graduated ventures', 'economic_activity', 'percent', 'of graduated ventures', 'annual', 'one_year_survival', None,
     'Of the ventures whose cohort ended the year before, the share not archived within a year of graduating.'),
]

# The old impact-area words and the seeded area each belongs to.
OLD_IMPACT_AREAS = {
    'Water conservation': 'Water and drought',
    'Clean air': 'Health',
    'Safe streets': 'Transportation',
    'Access to services': 'Civic pilots with city departments',
    'Jobs and income': 'Jobs',
    'Housing stability': 'Housing',
    'Language access': 'Immigrant integration',
    'Digital inclusion': 'Education',
    'Public health': 'Health',
    'Open government': 'Civic pilots with city departments',
}
OLD_NEIGHBOURHOODS = {'South Los Angeles': 'Historic South-Central'}


def _slug(name):
    import re
    import unicodedata

    plain = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode()
    return re.sub(r'[^a-z0-9]+', '-', plain.lower()).strip('-')


def upgrade():
    op.create_table('data_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=160), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('update_frequency', sa.String(length=16), nullable=False),
    sa.Column('geography', sa.String(length=24), nullable=False),
    sa.Column('licence', sa.String(length=160), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("geography IN ('city', 'council_district', 'neighbourhood', 'census_tract', 'address')", name=op.f('ck_data_sources_geography_known')),
    sa.CheckConstraint("status IN ('in_use', 'candidate', 'requested')", name=op.f('ck_data_sources_status_known')),
    sa.CheckConstraint("update_frequency IN ('daily', 'weekly', 'monthly', 'quarterly', 'annual', 'irregular')", name=op.f('ck_data_sources_frequency_known')),
    sa.CheckConstraint('length(department) > 0', name=op.f('ck_data_sources_department_not_empty')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_data_sources_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_sources')),
    sa.UniqueConstraint('department', 'name', name='uq_data_sources_department_name')
    )
    op.create_table('impact_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('promise_zone', 'hackathon_theme', 'civic_pilots', 'other')", name=op.f('ck_impact_areas_kind_known')),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_impact_areas_code_not_empty')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_impact_areas_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_impact_areas_code')),
    sa.UniqueConstraint('name', name=op.f('uq_impact_areas_name'))
    )
    op.create_table('neighbourhoods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('promise_zone', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_neighbourhoods_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_neighbourhoods')),
    sa.UniqueConstraint('name', name=op.f('uq_neighbourhoods_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_neighbourhoods_slug'))
    )
    op.create_table('metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('impact_area_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('unit_label', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('baseline_on', sa.Date(), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('iris_code', sa.String(length=6), nullable=True),
    sa.Column('reference_value', sa.Float(), nullable=True),
    sa.Column('reference_label', sa.String(length=200), nullable=False),
    sa.Column('reference_source', sa.String(length=300), nullable=False),
    sa.Column('reference_year', sa.Integer(), nullable=True),
    sa.Column('derivation', sa.String(length=32), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("derivation IS NULL OR derivation IN ('ventures_supported', 'capital_raised', 'city_pilots_signed', 'pilots_adopted', 'residents_served', 'one_year_survival', 'check_in_kpis')", name=op.f('ck_metrics_derivation_known')),
    sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f('ck_metrics_direction_known')),
    sa.CheckConstraint("frequency IN ('monthly', 'quarterly', 'annual')", name=op.f('ck_metrics_frequency_known')),
    sa.CheckConstraint("unit IN ('count', 'usd', 'percent')", name=op.f('ck_metrics_unit_known')),
    sa.CheckConstraint('(baseline_value IS NULL) = (baseline_on IS NULL)', name=op.f('ck_metrics_baseline_has_date')),
    sa.CheckConstraint('(target_value IS NULL) = (target_on IS NULL)', name=op.f('ck_metrics_target_has_date')),
    sa.CheckConstraint('iris_code IS NULL OR length(iris_code) = 6', name=op.f('ck_metrics_iris_code_length')),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_metrics_code_not_empty')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_metrics_name_not_empty')),
    sa.CheckConstraint('reference_value IS NULL OR (reference_year IS NOT NULL AND length(reference_source) > 0)', name=op.f('ck_metrics_reference_has_source')),
    sa.ForeignKeyConstraint(['impact_area_id'], ['impact_areas.id'], name=op.f('fk_metrics_impact_area_id_impact_areas'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metrics')),
    sa.UniqueConstraint('code', name=op.f('uq_metrics_code')),
    sa.UniqueConstraint('name', name=op.f('uq_metrics_name'))
    )
    with op.batch_alter_table('metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metrics_impact_area_id'), ['impact_area_id'], unique=False)

    op.create_table('scorecard_refreshes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_scorecard_refreshes_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_refreshes'))
    )
    op.create_table('kpi_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('kpi_kind', sa.String(length=16), nullable=False),
    sa.Column('kpi_name', sa.String(length=80), nullable=False),
    sa.Column('aggregation', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("aggregation IN ('sum', 'level', 'change')", name=op.f('ck_kpi_mappings_aggregation_known')),
    sa.CheckConstraint("kpi_kind = 'standard' OR kpi_name = lower(kpi_name)", name=op.f('ck_kpi_mappings_custom_name_lowercase')),
    sa.CheckConstraint("kpi_kind IN ('standard', 'custom')", name=op.f('ck_kpi_mappings_kind_known')),
    sa.CheckConstraint('length(kpi_name) > 0', name=op.f('ck_kpi_mappings_name_not_empty')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_kpi_mappings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_kpi_mappings_metric_id_metrics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_mappings')),
    sa.UniqueConstraint('kpi_kind', 'kpi_name', name='uq_kpi_mappings_kpi')
    )
    with op.batch_alter_table('kpi_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_mappings_metric_id'), ['metric_id'], unique=False)

    op.create_table('metric_data_sources',
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('data_source_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['data_source_id'], ['data_sources.id'], name=op.f('fk_metric_data_sources_data_source_id_data_sources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_metric_data_sources_metric_id_metrics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('metric_id', 'data_source_id', name=op.f('pk_metric_data_sources'))
    )
    with op.batch_alter_table('metric_data_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metric_data_sources_data_source_id'), ['data_source_id'], unique=False)

    op.create_table('observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('geography', sa.String(length=16), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('data_source_id', sa.Integer(), nullable=True),
    sa.Column('contributors', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(geography = 'neighbourhood') = (neighbourhood_id IS NOT NULL)", name=op.f('ck_observations_neighbourhood_when_needed')),
    sa.CheckConstraint("geography IN ('city', 'neighbourhood', 'promise_zone', 'rest_of_city')", name=op.f('ck_observations_geography_known')),
    sa.CheckConstraint("origin IN ('derived', 'manual')", name=op.f('ck_observations_origin_known')),
    sa.CheckConstraint('contributors IS NULL OR contributors >= 0', name=op.f('ck_observations_contributors_not_negative')),
    sa.CheckConstraint('denominator IS NULL OR denominator > 0', name=op.f('ck_observations_denominator_positive')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_observations_period_in_order')),
    sa.ForeignKeyConstraint(['data_source_id'], ['data_sources.id'], name=op.f('fk_observations_data_source_id_data_sources'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_observations_metric_id_metrics'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_observations_neighbourhood_id_neighbourhoods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_observations_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations'))
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observations_data_source_id'), ['data_source_id'], unique=False)
        batch_op.create_index('ix_observations_metric_geography_period', ['metric_id', 'geography', 'period_start'], unique=False)
        batch_op.create_index('ix_observations_neighbourhood_id', ['neighbourhood_id'], unique=False)
        batch_op.create_index('ix_observations_recorded_at', ['recorded_at'], unique=False)
        batch_op.create_index('ix_observations_withdrawn_at', ['withdrawn_at'], unique=False, sqlite_where=sa.text('withdrawn_at IS NOT NULL'), postgresql_where=sa.text('withdrawn_at IS NOT NULL'))
        batch_op.create_index('uq_observations_area_key', ['metric_id', 'period_start', 'geography'], unique=True, sqlite_where=sa.text('neighbourhood_id IS NULL AND withdrawn_at IS NULL'), postgresql_where=sa.text('neighbourhood_id IS NULL AND withdrawn_at IS NULL'))
        batch_op.create_index('uq_observations_neighbourhood_key', ['metric_id', 'period_start', 'neighbourhood_id'], unique=True, sqlite_where=sa.text('neighbourhood_id IS NOT NULL AND withdrawn_at IS NULL'), postgresql_where=sa.text('neighbourhood_id IS NOT NULL AND withdrawn_at IS NULL'))

    op.create_table('observation_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('contributors', sa.Integer(), nullable=True),
    sa.Column('data_source_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('corrected', 'withdrawn', 'rederived', 'restored')", name=op.f('ck_observation_revisions_action_known')),
    sa.ForeignKeyConstraint(['data_source_id'], ['data_sources.id'], name=op.f('fk_observation_revisions_data_source_id_data_sources'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['observation_id'], ['observations.id'], name=op.f('fk_observation_revisions_observation_id_observations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_observation_revisions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['users.id'], name=op.f('fk_observation_revisions_replaced_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_revisions'))
    )
    with op.batch_alter_table('observation_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_observation_revisions_observation_id', ['observation_id'], unique=False)

    op.create_table('pilot_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('placement', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("placement = 'outside' OR neighbourhood_id IS NOT NULL", name=op.f('ck_pilot_sites_placed_somewhere')),
    sa.CheckConstraint("placement IN ('point', 'name', 'chosen', 'outside')", name=op.f('ck_pilot_sites_placement_known')),
    sa.CheckConstraint('(latitude IS NULL) = (longitude IS NULL)', name=op.f('ck_pilot_sites_coordinates_paired')),
    sa.CheckConstraint('latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)', name=op.f('ck_pilot_sites_coordinates_in_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pilot_sites_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_pilot_sites_neighbourhood_id_neighbourhoods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_pilot_sites_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot_sites'))
    )
    with op.batch_alter_table('pilot_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_sites_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_sites_pilot_id'), ['pilot_id'], unique=False)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        # Submissions imported before keep no neighbourhood until imported again.
        batch_op.add_column(sa.Column('neighbourhoods', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))

    _seed_reference_data()
    _move_ventures_to_the_new_lists()


def downgrade():
    # The ventures' impact areas and neighbourhoods keep the new names.
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('neighbourhoods')

    with op.batch_alter_table('pilot_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_sites_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_pilot_sites_neighbourhood_id'))

    op.drop_table('pilot_sites')
    with op.batch_alter_table('observation_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_revisions_observation_id')

    op.drop_table('observation_revisions')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index('uq_observations_neighbourhood_key', sqlite_where=sa.text('neighbourhood_id IS NOT NULL AND withdrawn_at IS NULL'), postgresql_where=sa.text('neighbourhood_id IS NOT NULL AND withdrawn_at IS NULL'))
        batch_op.drop_index('uq_observations_area_key', sqlite_where=sa.text('neighbourhood_id IS NULL AND withdrawn_at IS NULL'), postgresql_where=sa.text('neighbourhood_id IS NULL AND withdrawn_at IS NULL'))
        batch_op.drop_index('ix_observations_withdrawn_at', sqlite_where=sa.text('withdrawn_at IS NOT NULL'), postgresql_where=sa.text('withdrawn_at IS NOT NULL'))
        batch_op.drop_index('ix_observations_recorded_at')
        batch_op.drop_index('ix_observations_neighbourhood_id')
        batch_op.drop_index('ix_observations_metric_geography_period')
        batch_op.drop_index(batch_op.f('ix_observations_data_source_id'))

    op.drop_table('observations')
    with op.batch_alter_table('metric_data_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metric_data_sources_data_source_id'))

    op.drop_table('metric_data_sources')
    with op.batch_alter_table('kpi_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_mappings_metric_id'))

    op.drop_table('kpi_mappings')
    op.drop_table('scorecard_refreshes')
    with op.batch_alter_table('metrics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metrics_impact_area_id'))

    op.drop_table('metrics')
    op.drop_table('neighbourhoods')
    op.drop_table('impact_areas')
    op.drop_table('data_sources')


def _seed_reference_data():
    now = sa.func.now() if op.get_bind().dialect.name == 'postgresql' else sa.text('CURRENT_TIMESTAMP')
    bind = op.get_bind()
    neighbourhoods = sa.table('neighbourhoods', sa.column('slug', sa.String), sa.column('name', sa.String), sa.column('promise_zone', sa.Boolean))
    with open(GEOJSON, encoding='utf-8') as handle:
        features = json.load(handle)['features']
    names = sorted((f['properties']['name'] for f in features), key=str.casefold)
    op.bulk_insert(neighbourhoods, [{'slug': _slug(n), 'name': n, 'promise_zone': n in PROMISE_ZONE} for n in names])

    areas = sa.table('impact_areas', sa.column('id', sa.Integer), sa.column('code', sa.String), sa.column('name', sa.String), sa.column('kind', sa.String), sa.column('description', sa.Text), sa.column('position', sa.Integer), sa.column('active', sa.Boolean), sa.column('updated_at', sa.DateTime(timezone=True)))
    for position, (code, name, kind, description) in enumerate(IMPACT_AREAS):
        bind.execute(areas.insert().values(code=code, name=name, kind=kind, description=description, position=position, active=True, updated_at=now))
    area_ids = dict(bind.execute(sa.select(areas.c.code, areas.c.id)).all())

    metrics = sa.table('metrics', sa.column('code', sa.String), sa.column('name', sa.String), sa.column('impact_area_id', sa.Integer), sa.column('description', sa.Text), sa.column('unit', sa.String), sa.column('unit_label', sa.String), sa.column('direction', sa.String), sa.column('frequency', sa.String), sa.column('iris_code', sa.String), sa.column('reference_label', sa.String), sa.column('reference_source', sa.String), sa.column('derivation', sa.String), sa.column('published', sa.Boolean), sa.column('position', sa.Integer), sa.column('updated_at', sa.DateTime(timezone=True)))
    for position, (code, name, area, unit, unit_label, frequency, derivation, iris, description) in enumerate(STARTER_METRICS):
        bind.execute(metrics.insert().values(
            code=code, name=name, impact_area_id=area_ids[area], description=description, unit=unit, unit_label=unit_label,
            direction='higher', frequency=frequency, iris_code=iris, reference_label='', reference_source='',
            derivation=derivation, published=True, position=position, updated_at=now,
        ))


def _move_ventures_to_the_new_lists():
    bind = op.get_bind()
    areas = sa.table('impact_areas', sa.column('code', sa.String), sa.column('name', sa.String), sa.column('kind', sa.String), sa.column('description', sa.Text), sa.column('position', sa.Integer), sa.column('active', sa.Boolean), sa.column('updated_at', sa.DateTime(timezone=True)))
    known = set(bind.execute(sa.select(areas.c.name)).scalars())
    ventures = sa.table('ventures', sa.column('id', sa.Integer), sa.column('impact_areas', sa.JSON), sa.column('neighbourhoods', sa.JSON))
    created = []
    for venture_id, impact, places in bind.execute(sa.select(ventures.c.id, ventures.c.impact_areas, ventures.c.neighbourhoods)).all():
        new_impact = []
        for word in impact or []:
            name = OLD_IMPACT_AREAS.get(word, word)
            if name not in known:
                known.add(name)
                created.append(name)
            if name not in new_impact:
                new_impact.append(name)
        new_places = _new_places(places)
        if new_impact != list(impact or []) or new_places != list(places or []):
            bind.execute(ventures.update().where(ventures.c.id == venture_id).values(impact_areas=new_impact, neighbourhoods=new_places))
    now = sa.func.now() if bind.dialect.name == 'postgresql' else sa.text('CURRENT_TIMESTAMP')
    for offset, name in enumerate(created):
        bind.execute(areas.insert().values(code=_slug(name)[:40] or f'area-{offset}', name=name, kind='other', description='Carried over from the earlier word list.', position=len(IMPACT_AREAS) + offset, active=True, updated_at=now))

    partners = sa.table('partner_profiles', sa.column('organisation_id', sa.Integer), sa.column('neighbourhoods', sa.JSON))
    for organisation_id, places in bind.execute(sa.select(partners.c.organisation_id, partners.c.neighbourhoods)).all():
        new_places = _new_places(places)
        if new_places != list(places or []):
            bind.execute(partners.update().where(partners.c.organisation_id == organisation_id).values(neighbourhoods=new_places))


def _new_places(places):
    moved = []
    for place in places or []:
        name = OLD_NEIGHBOURHOODS.get(place, place)
        if name not in moved:
            moved.append(name)
    return moved
