"""A geo panel's shared weekly effect: one shock per training week that every geo feels.

Why: geos share weeks. Weather, a holiday that moved, the economy, a national competitor move
all shift every geo's KPI in the same week, and a model whose noise is independent across geos
reads twenty geos as twenty independent looks at each week. On Meridian's geo data, 91% of the
residual variance was one weekly series common to all 20 geos (mean pairwise residual correlation
0.91): the noise was 3.5 times too wide for each geo, and the nation's predictive interval covered
44% of its weeks. Meridian's own geo model spends one time effect per week for this (knots = the
number of periods); here the week effects are a random effect, Normal(0, sigma), so their scale
is learned and a panel without shared shocks shrinks them to zero.

The effect is on pymc-marketing's scaled KPI (each geo divided by its own maximum), so a shock is
the same share of every geo's level. It is centred where the data determine each week's effect
(many geos sharing shocks large against what their own terms leave unexplained) and non-centred
where they do not (`weeks_are_determined`), and
it is kept orthogonal to every weekly series the geos' own terms
share: the constant (else its mean trades off against every geo's intercept), the trend, the
yearly Fourier modes and any control with one value per week for all geos (`national_basis`).
Along those series the average of the geos' coefficients and the week effect move the fit alike,
ridges NUTS crawls along: on Meridian's geo data, with only the constant removed (a
ZeroSumNormal), the 20 trend coefficients moving together against the week effect were the
posterior's widest direction and NUTS took ~800 leapfrog steps per draw; kept off all of them,
~250 (2 chains x 600 + 300). What the effect may still do: everything else that moves all geos
in one week.

Out of sample a week's effect is unknown: its mean is zero and its spread, sigma, is added to the
predictive draws (`add_to_predictive`) and to fitted_values' predictive interval in SQL.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from python_udfs import transforms

PARAMETER = "week_effect"
SIGMA = f"{PARAMETER}_sigma"
DIM = "effect_week"  # the training weeks, fixed at fit time; "date" changes for predictions
INDEX = f"{PARAMETER}_index"
RAW = f"{PARAMETER}_raw"  # the coordinates along `complement`
OFFSET = f"{RAW}_offset"  # their standard-normal offsets, the free parameters (non-centred)
RAW_DIM = "effect_direction"


def week_labels(dates: Any) -> list[str]:
    """ISO dates, the form the draws' term column and the SQL's cast of week_start share."""
    return [d.strftime("%Y-%m-%d") for d in pd.to_datetime(pd.Series(dates)).drop_duplicates().sort_values()]


def week_index(dates: Any, weeks: list[str]) -> np.ndarray:
    """Each date's position among the fitted weeks, in the dates' own order; -1: not fitted."""
    position = {w: i for i, w in enumerate(weeks)}
    return np.array([position.get(d.strftime("%Y-%m-%d"), -1) for d in pd.to_datetime(list(dates))], dtype="int64")


def national_basis(train: pd.DataFrame, columns: list[str], fourier_modes: int) -> np.ndarray:
    """The weekly series every geo's own terms share (weeks x k, the training weeks in order): a
    constant, each model column with one value per week for all geos (the trend, a national
    holiday or price), and the yearly Fourier modes pymc-marketing builds from the day of year.

    Why: each geo has its own coefficient on these, and the average of those coefficients moves
    the national series exactly as a week effect along it would; the data cannot tell the two
    apart. On Meridian's geo data the trend's 20 coefficients moving together against the week
    effect was the posterior's widest direction (correlation eigenvalue 42, against 0.007 for the
    narrowest): NUTS needed ~800 leapfrog steps per draw to cross it."""
    weekly = train.groupby("date", sort=True)
    dates = pd.DatetimeIndex(sorted(pd.to_datetime(train["date"]).unique()))
    national = [c for c in columns if int(weekly[c].nunique().max()) <= 1]
    return np.hstack(
        [
            np.ones((len(dates), 1)),
            weekly[national].first().to_numpy(dtype=float),
            transforms.yearly_fourier(dates.day_of_year, fourier_modes),
        ]
    )


def complement(basis: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    """An orthonormal basis (weeks x m) of the weekly series orthogonal to every column of
    `basis`: the directions a week effect may take without duplicating a geo-level term."""
    u, s, _ = np.linalg.svd(basis, full_matrices=True)
    rank = int((s > tol * s.max()).sum())
    return u[:, rank:]


# The media stand-ins of weeks_are_determined: each channel's spend (scaled by its maximum per geo,
# as the model's) carried over at these geometric rates, each linear and through a logistic curve
# of this lam. Why several: the model's carryover and saturation are fitted, so the stand-ins must
# span what any of them could explain, not one guess at them.
STAND_IN_CARRYOVER = (0.0, 0.4, 0.8)
STAND_IN_SATURATION = 3.0


def media_stand_ins(rows: pd.DataFrame, channels: list[str], max_lag: int, room: int | None = None) -> np.ndarray:
    """Weeks x (channels x 6) columns a linear fit can use in place of a geo's media term: the
    scaled spend adstocked at each STAND_IN_CARRYOVER rate, linear and saturated. With more
    channels than `room` columns allow (30 channels on 104 weeks), fewer per channel: the middle
    carryover linear and saturated, then the spend alone."""
    variants = [(alpha, saturated) for alpha in STAND_IN_CARRYOVER for saturated in (False, True)]
    if room is not None and len(channels) * len(variants) > room:
        variants = [(STAND_IN_CARRYOVER[1], False), (STAND_IN_CARRYOVER[1], True)]
        if len(channels) * len(variants) > room:
            variants = [(0.0, False)]
    columns = []
    for channel in channels:
        x = rows[channel].to_numpy(dtype=float)
        x = x / (np.abs(x).max() or 1.0)
        for alpha, saturated in variants:
            stock = transforms.adstock(x, transforms.adstock_weights("geometric", max_lag, alpha))
            columns.append(transforms.saturation("logistic", stock, STAND_IN_SATURATION) if saturated else stock)
    return np.column_stack(columns) if columns else np.zeros((len(rows), 0))


def weeks_are_determined(
    train: pd.DataFrame,
    basis: np.ndarray,
    columns: list[str] | None = None,
    media: list[str] | None = None,
    max_lag: int = 6,
) -> bool:
    """Whether the data pin each week's effect down more than its prior does, which decides its
    parameterisation: centred when they do (the posterior is then shaped by the likelihood),
    non-centred when they do not (a centred effect would meet its scale sigma in a funnel).

    With G geos, a common weekly variance s_w² and each geo's own s_e², a week's effect has
    data precision G / s_e² against prior precision 1 / s_w²; their ratio k = G s_w² / s_e² is
    estimated from the scaled KPI less a least-squares fit, per geo, of what the model gives each
    geo on its own: `basis` (the national series), `columns` (the geo's own controls, linear
    stand-ins for its control terms) and `media` (its channels, through `media_stand_ins`).
    s_e² is each week's spread of
    the residuals over geos, s_w² the variance of their weekly mean less s_e² / G. Determined
    when k >= 1.

    Why the geo's own columns: without them, variation the geo's media explains counts as noise,
    and media flighted nationally counts as a shared shock. Measured against the fitted k
    (G sigma² / mean noise variance, from the default fit's draws): Meridian's 40-geo
    all-channels file 0.43 estimated against 0.42 fitted (1.12 from `basis` alone, which chose
    centred: r-hat 1.014, ESS 319 on sigma); Meridian geo 172 against 262 (3.5 alone), its funnel
    181 against 246 (4.9 alone). Non-centred on Meridian geo had r-hat 1.074 and ESS 47, centred
    1.009 and 1,106; on pymc-marketing's 2-geo example (k = 0.018; 0.014 from `basis` alone)
    centred had r-hat 1.16 on sigma and non-centred 1.004. All-channels non-centred: r-hat 1.009,
    ESS 1,015.

    Why carried-over and saturated spend, not the spend alone (issue 38): media flighted in the
    same weeks in every geo moves the geos together through its carryover and saturation, which a
    line in the spend cannot follow; what it leaves counted as a shared shock. On generated 6- to
    20-geo panels with national flights and no shared shock at all (bench/geo_panels.py) the
    spend alone gave k = 3 to 20, so the effect was centred where its scale's posterior sits at
    zero: the funnel's neck, where a chain's step size fell to 1e-14 (6 geos: r-hat 1.36, ESS 9 on
    sigma at 4 x 500 + 500). With the stand-ins those panels give k <= 0.3 and are non-centred
    (6 geos, default fit: r-hat 1.005 to 1.007, bulk ESS 679 to 693, 31 leapfrog steps a draw);
    panels with a shared shock (sd 5% of the level) give 1.3 to 13, and 2 geos with noise above
    the shock (true k 0.8) 0.3 to 0.7. Meridian's three geo files and pymc-marketing's 2-geo
    example keep their parameterisation."""
    frame = train if "geo" in train else train.assign(geo="total")
    by_geo = frame.sort_values("date").groupby("geo", sort=True)
    weeks, geos = len(basis), by_geo.ngroups
    if geos < 2:
        return False
    residual, rank = np.zeros((weeks, geos)), 0
    for j, (_, rows) in enumerate(by_geo):
        kpi = rows["kpi"].to_numpy(dtype=float)
        if len(kpi) != weeks:
            return False  # an unbalanced panel: no estimate, the safe parameterisation
        y = kpi / (np.abs(kpi).max() or 1.0)
        linear = rows[list(columns or [])].to_numpy(dtype=float)
        room = (weeks - basis.shape[1] - linear.shape[1]) // 2  # leave half the weeks to the residual
        x = np.hstack([basis, linear, media_stand_ins(rows, list(media or []), max_lag, room)])
        residual[:, j] = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        rank = max(rank, int(np.linalg.matrix_rank(x)))
    if weeks - rank < 2:
        return False
    mean = residual.mean(axis=1)
    own = float(((residual - mean[:, None]) ** 2).sum()) / ((weeks - rank) * (geos - 1))
    common = max(float((mean**2).sum()) / (weeks - rank) - own / geos, 0.0)
    return own > 0 and geos * common / own >= 1.0


def shared_week_effect(train_dates: Any, scale: float, basis: np.ndarray | None = None, centred: bool = True) -> Any:
    """pymc-marketing MuEffect adding week_effect[week] (shared by geos) to mu; scale: the sd of
    sigma's HalfNormal prior (the KPI's typical weekly sd on the scaled KPI, as the noise's).
    basis: national_basis; the effect is kept orthogonal to it (the constant alone if None).
    centred: weeks_are_determined."""
    import pymc as pm
    import pymc.dims as pmd
    import pytensor.tensor as pt
    from pymc_marketing.mmm.additive_effect import MuEffect

    weeks = week_labels(train_dates)
    directions = complement(np.ones((len(weeks), 1)) if basis is None else basis)

    class SharedWeekEffect(MuEffect):
        prefix: str = PARAMETER
        weeks: list[str]
        sigma_scale: float
        directions: list[list[float]]  # weeks x m; plain lists: pymc-marketing stores the effect as JSON
        centred: bool

        def create_data(self, mmm: Any) -> None:
            model = mmm.model
            model.add_coord(DIM, self.weeks)
            model.add_coord(RAW_DIM, np.arange(len(self.directions[0])))
            pmd.Data(INDEX, week_index(model.coords["date"], self.weeks), dims="date")

        def create_effect(self, mmm: Any) -> Any:
            model = mmm.model
            sigma = pmd.HalfNormal(SIGMA, sigma=self.sigma_scale)
            if self.centred:
                raw = pmd.Normal(RAW, mu=0, sigma=sigma, dims=RAW_DIM)
            else:
                raw = pmd.Deterministic(RAW, sigma * pmd.Normal(OFFSET, mu=0, sigma=1, dims=RAW_DIM))
            weekly = pt.dot(pt.as_tensor(np.asarray(self.directions, dtype=float)), raw.values)
            effect = pmd.Deterministic(PARAMETER, pmd.math.as_xtensor(weekly, dims=(DIM,)))
            index = model[INDEX].values
            # a week outside the training window (a prediction) gets the effect's mean, 0
            by_date = pt.switch(index >= 0, effect.values[pt.maximum(index, 0)], 0.0)
            return pmd.math.as_xtensor(by_date, dims=("date",))

        def set_data(self, mmm: Any, model: Any, X: Any) -> None:
            pm.set_data({INDEX: week_index(model.coords["date"], self.weeks)}, model=model)

        @property
        def contribution_var_name(self) -> str:
            return PARAMETER

    return SharedWeekEffect(weeks=weeks, sigma_scale=float(scale), directions=directions.tolist(), centred=centred)


def add_to_predictive(
    draws: np.ndarray, sigma: np.ndarray, target_scale: np.ndarray, new_week: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Predictive draws (samples x dates x geos, KPI units) with a fresh shared shock in each week
    the fit did not see: per sample and new week one Normal(0, sigma) draw, times each geo's KPI
    scale. Weeks the fit saw already carry their fitted effect."""
    shock = rng.standard_normal((draws.shape[0], draws.shape[1])) * sigma[:, None] * new_week[None, :]
    return draws + shock[:, :, None] * target_scale[None, None, :]
