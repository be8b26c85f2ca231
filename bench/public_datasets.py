"""The public MMM datasets in ../shared/data, each configured by dbt vars alone.

One place for the settings a new user would write for each dataset (columns, week start,
holdout), shared by `bench/bench_public_data.py` and the public-data regression tests. Nothing
here tunes the model: only what describes the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# The PyMC-Marketing case study's reference fit (plain pymc-marketing 1.3, the case study's own
# priors, same data and 26-week split), measured when issue 13 was filed: ROAS per channel and
# the holdout CRPS the default fit must match.
CASE_STUDY_REFERENCE_ROAS = {
    "mdsp_dm": 8.3,
    "mdsp_nsp": 14.7,
    "mdsp_so": 28.2,
    "mdsp_audtr": 32.1,
    "mdsp_vidtr": 45.4,
    "mdsp_on": 53.2,
    "mdsp_inst": 52.8,
}
CASE_STUDY_REFERENCE_HOLDOUT_CRPS = 1.61e7

DATASETS: dict[str, dict[str, Any]] = {
    "case_study": {
        "mmm_week_start": "sunday",
        "mmm_holdout_weeks": 26,
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "mmm_stan" / "data.csv"),
            "date_column": "wk_strt_dt",
            "kpi_column": "sales",
            "spend_columns": list(CASE_STUDY_REFERENCE_ROAS),
            "control_columns": ["hldy_*"],
        },
    },
    "robyn": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "robyn" / "dt_simulated_weekly.csv"),
            "date_column": "DATE",
            "kpi_column": "revenue",
            "spend_columns": ["tv_S", "ooh_S", "print_S", "facebook_S", "search_S"],
            "control_columns": ["competitor_sales_B", "newsletter"],
            "event_columns": ["events"],
        },
    },
    "meridian_national": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "meridian" / "national_media.csv"),
            "date_column": "time",
            "kpi_column": "conversions",
            "spend_columns": ["Channel0_spend", "Channel1_spend", "Channel2_spend", "Channel3_spend"],
            "control_columns": ["*_control"],
        },
    },
    "meridian_geo": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "meridian" / "geo_media.csv"),
            "date_column": "time",
            "geo_column": "geo",
            "kpi_column": "conversions",
            "spend_columns": ["Channel0_spend", "Channel1_spend", "Channel2_spend", "Channel3_spend"],
            "control_columns": ["*_control"],
        },
    },
    # Larger geo panels, bench only (a default fit each takes minutes): 40 geos with 5 channels,
    # some never bought in some geos, organic media and a promo; 20 geos of a full funnel.
    "meridian_geo_all_channels": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "meridian" / "geo_all_channels.csv"),
            "date_column": "time",
            "geo_column": "geo",
            "kpi_column": "conversions",
            "spend_columns": [f"Channel{i}_spend" for i in range(5)],
            "control_columns": ["*_control", "Promo", "Organic_channel0_impression"],
        },
    },
    "meridian_geo_funnel": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "meridian" / "geo_full_funnel_data.csv"),
            "date_column": "time",
            "geo_column": "geo",
            "kpi_column": "conversions",
            "spend_columns": ["AwarenessVideo_spend", "PerformanceDisplay_spend", "PerformanceNative_spend"],
            "control_columns": ["*GQV_control"],
        },
    },
    "pymc_geo": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "pymc_marketing" / "mmm_multidimensional_example.csv"),
            "date_column": "date",
            "geo_column": "geo",
            "kpi_column": "y",
            "spend_columns": ["x1", "x2"],
            "control_columns": ["event_1", "event_2"],
        },
    },
    # Simulated with known truth (pymc-marketing's ROAS-parametrisation notebook): y = 100 (trend +
    # seasonality + z + x1_effect + x2_effect + noise), z a confounder correlated with x1 (r 0.71);
    # the counterfactual columns y01 / y02 give each channel's true contribution.
    "pymc_roas": {
        "mmm_week_start": "saturday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "pymc_marketing" / "mmm_roas_data.csv"),
            "date_column": "date",
            "kpi_column": "y",
            "spend_columns": ["x1", "x2"],
            "control_columns": ["z"],
        },
    },
    "meridian_all_channels": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "meridian" / "national_all_channels.csv"),
            "date_column": "time",
            "kpi_column": "conversions",
            "spend_columns": [f"Channel{i}_spend" for i in range(5)],
            "control_columns": ["*_control", "Promo", "Organic_channel0_impression"],
        },
    },
    "pymc_example": {
        "mmm_week_start": "monday",
        "mmm_wide_input": {
            "path": str(SHARED_DATA / "pymc_marketing" / "mmm_example.csv"),
            "date_column": "date_week",
            "kpi_column": "y",
            "spend_columns": ["x1", "x2"],
            "control_columns": ["event_1", "event_2"],
        },
    },
}


def pymc_roas_truth() -> dict[str, float]:
    """Each channel's true ROAS on pymc_roas: its contribution (y less the counterfactual y with
    the channel off, y01 / y02) over its spend, both over every week (the fit has no holdout)."""
    import pandas as pd

    data = pd.read_csv(DATASETS["pymc_roas"]["mmm_wide_input"]["path"])
    return {x: float((data["y"] - data[f"y0{x[1]}"]).sum() / data[x].sum()) for x in ("x1", "x2")}


def available() -> bool:
    return SHARED_DATA.is_dir()
