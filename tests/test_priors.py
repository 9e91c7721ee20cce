import math

import numpy as np
import pytest

from forecast.errors import InputError
from forecast.models import datawall
from forecast.priors import PriorSpec, load_priors


def spec(**kw):
    base = {"unit": "u", "source": "a citation"}
    return PriorSpec.model_validate(base | kw)


def test_interval_becomes_lognormal_parameters():
    p = spec(dist="LogNormal", interval=[0.1, 0.4], interval_prob=0.95)
    assert p.kwargs["mu"] == pytest.approx(math.log(0.2))
    np.testing.assert_allclose(p.quantile(np.array([0.025, 0.975])), [0.1, 0.4])


def test_reflected_truncated_quantiles():
    p = spec(dist="LogNormal", interval=[1.0, 4.0], reflect_about=6.0, bounds=[1.0, 6.0])
    q = p.quantile(np.array([0.0, 0.5, 1.0]))
    assert q[0] == pytest.approx(1.0) and q[2] == pytest.approx(6.0)
    assert q[1] == pytest.approx(4.0, abs=0.01)  # median 6 - 2


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"dist": "Norml", "kwargs": {"mu": 0, "sigma": 1}}, "Input should be"),
        ({"dist": "Normal", "kwargs": {"mu": 0}}, "needs ['sigma']"),
        ({"dist": "Normal", "kwargs": {"mu": 0, "sigma": -1}}, "must be positive"),
        ({"dist": "Gamma", "interval": [1, 2]}, "only Normal and LogNormal"),
    ],
)
def test_bad_prior_is_refused(table, fragment):
    with pytest.raises(ValueError, match=fragment.replace("[", "\\[").replace("]", "\\]")):
        spec(**table)


def test_prior_file_names_checked(tmp_path, project):
    text = (project / "priors" / "datawall.toml").read_text()
    bad = tmp_path / "datawall.toml"
    bad.write_text(text.replace("[priors.quality_fraction]", "[priors.quality_fractoin]"))
    with pytest.raises(InputError) as info:
        load_priors(
            "datawall",
            datawall.PRIOR_NAMES,
            datawall.LEVER_NAMES,
            path=bad,
            defaults=datawall.MODEL.prior_defaults,
        )
    assert info.value.column == "priors.quality_fractoin"
    assert "unknown prior name" in str(info.value)


def test_every_prior_and_lever_has_a_source(project):
    from forecast.models import REGISTRY
    from forecast.models.base import model_priors

    for spec in REGISTRY.values():
        priors = model_priors(spec)
        assert all(len(p.source) > 20 for p in priors.priors.values()), spec.name
        assert all(len(lv.source) > 20 for lv in priors.levers.values()), spec.name


def test_a_model_reads_shared_defaults_and_its_own_file_overrides_them(project):
    from forecast.models import compute
    from forecast.models.base import model_priors

    shared = model_priors(compute.MODEL)
    assert shared["compute_nu"].kwargs == {"alpha": 2.0, "beta": 0.1}  # priors/defaults.toml
    path = project / "priors" / "compute.toml"
    path.write_text(
        path.read_text()
        + '\n[priors.compute_nu]\ndist = "Gamma"\nkwargs = { alpha = 3.0, beta = 0.1 }\n'
        'unit = "degrees of freedom"\nsource = "a test overriding the shared default"\n'
    )
    own = model_priors(compute.MODEL)
    assert own["compute_nu"].kwargs["alpha"] == 3.0 and own.sha256 != shared.sha256
    (project / "priors" / "defaults.toml").unlink()
    with pytest.raises(InputError, match="shared default priors file is missing"):
        model_priors(compute.MODEL)  # compute_slope_drift has no table of its own


def test_an_override_of_a_default_changes_only_its_own_fields(project):
    from forecast.models import compute
    from forecast.models.base import model_priors

    default = model_priors(compute.MODEL)["compute_nu"]
    path = project / "priors" / "compute.toml"
    text = path.read_text()
    path.write_text(text + "\n[priors.compute_nu]\nkwargs = { alpha = 3.0, beta = 0.1 }\n")
    own = model_priors(compute.MODEL)["compute_nu"]
    assert own.kwargs == {"alpha": 3.0, "beta": 0.1}
    assert (own.dist, own.unit, own.source) == (default.dist, default.unit, default.source)
    path.write_text(text + "\n[priors.compute_slope_change]\ninterval = [-1.0, 1.0]\n")
    change = model_priors(compute.MODEL)["compute_slope_change"]  # an interval replaces kwargs
    assert change.stated_interval == (-1.0, 1.0) and change.kwargs["mu"] == 0.0
    path.write_text(text + "\n[priors.compute_nu]\nkwargs = { alpha = -3.0, beta = 0.1 }\n")
    with pytest.raises(InputError, match="must be positive") as info:
        model_priors(compute.MODEL)
    assert info.value.path == str(path) and info.value.column == "priors.compute_nu.kwargs"


def test_every_nu_prior_reads_the_shared_default_with_its_source():
    from forecast.models import REGISTRY
    from forecast.models.base import model_priors
    from forecast.settings import priors_dir

    nus = {
        f"{spec.name}.{name}": prior
        for spec in REGISTRY.values()
        for name, prior in model_priors(spec).priors.items()
        if name == "nu" or name.endswith("_nu")
    }
    assert len(nus) == 11
    for where, prior in nus.items():
        assert (prior.dist, prior.kwargs) == ("Gamma", {"alpha": 2.0, "beta": 0.1}), where
        assert prior.source.startswith("Juarez & Steel 2010"), where
    assert nus["memory.accel_nu"].unit == "degrees of freedom of the multivariate Student-t noise"
    written = [p.name for p in priors_dir().glob("*.toml") if "Juarez" in p.read_text()]
    assert written == ["defaults.toml"]


def test_a_prior_stated_as_an_interval_keeps_it_for_the_report(project):
    prior = PriorSpec(
        dist="LogNormal",
        interval=[0.1, 0.4],
        interval_prob=0.95,
        unit="fraction",
        source="a source",
    )
    assert prior.stated_interval == (0.1, 0.4) and prior.interval is None
    assert prior.quantile(np.array([0.025, 0.975])) == pytest.approx([0.1, 0.4])


def test_lever_range_is_enforced(project):
    priors = load_priors(
        "datawall",
        datawall.PRIOR_NAMES,
        datawall.LEVER_NAMES,
        defaults=datawall.MODEL.prior_defaults,
    )
    with pytest.raises(InputError, match="outside the allowed range"):
        priors.levers["demand_weight_historical"].check("w", 1.5, "scenario.toml")


def test_unknown_scenario_key_is_refused(project):
    from forecast.scenarios import load_scenario

    path = project / "priors" / "scenarios" / "bad.toml"
    path.write_text('[scenario]\nname = "bad"\n[datawall.levers]\nstock_size = 1e14\n')
    with pytest.raises(InputError) as info:
        load_scenario(str(path))
    assert info.value.column == "datawall.stock_size"
    path.write_text('[scenario]\nname = "bad"\n[datawall.levers]\nquality_fraction = 2.0\n')
    with pytest.raises(InputError, match="expected a number in"):
        load_scenario(str(path))
