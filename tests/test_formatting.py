"""Numbers as a reader sees them: one formatter for the report and the command line."""

from forecast.formatting import format_probability, format_value


def test_numbers_are_formatted_by_unit():
    f = format_value
    assert f(2028.2873, "year") == "Apr 2028"
    assert f(None, "year") == "after 2100" and f(float("inf"), "year") == "after 2100"
    assert f(6.096e9, "USD 2023") == "$6.1B" and f(7.4e8, "USD 2023") == "$740M"
    assert f(8.979e27, "FLOP") == "9.0e27" and f(3.2e14, "tokens") == "3.2e14"
    assert f(9340.7, "MW") == "9,341" and f(0.344, "exponent") == "0.344"
    assert format_probability(0.4851) == "49%"
    assert format_probability(0.999) == ">99%"
    assert format_probability(0.001) == "<1%"
