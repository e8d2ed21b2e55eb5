from flask import Blueprint

from incubator.services.scorecard import labels

bp = Blueprint("scorecard", __name__, url_prefix="/scorecard")


@bp.context_processor
def scorecard_words() -> dict:
    """The scorecard's labels and figures in the request's language, for its templates."""
    return {
        "figure": labels.number,
        "month": labels.month,
        "full_month": labels.full_month,
        "frequency_label": labels.frequency,
        "unit_label": labels.unit,
        "area_kind_label": labels.area_kind,
        "aggregation_label": labels.aggregation,
        "source_geography_label": labels.source_geography,
        "source_status_label": labels.source_status,
        "update_frequency_label": labels.update_frequency,
        "placement_label": labels.placement,
        "revision_label": labels.revision,
    }


from incubator.blueprints.scorecard import manage, pages, sites  # noqa: E402, F401
