"""One clear sentence for every bad parameter, however the notebook is run."""
import pytest

from zjanalysis.params import ParameterError, check


def test_good_values_pass_and_ints_become_floats():
    assert check("tolerance", 0, float, minimum=0, maximum=0.5) == 0.0
    assert isinstance(check("tolerance", 0, float), float)
    assert check("basis", "year_end", str, choices=("year_end", "previous_year_end")) == "year_end"


@pytest.mark.parametrize("value, kind, opts, sentence", [
    ("abc", float, dict(minimum=0, maximum=0.5), "Parameter 'p' must be a number from 0 to 0.5; got 'abc' (a string)."),
    ("0.1", float, {}, "Parameter 'p' must be a number; got '0.1' (a string)."),
    (True, float, {}, "Parameter 'p' must be a number; got True (true/false)."),
    (0.9, float, dict(minimum=0, maximum=0.5), "Parameter 'p' must be a number from 0 to 0.5; got 0.9 (a number)."),
    (-1, int, dict(minimum=0), "Parameter 'p' must be a whole number of at least 0; got -1 (a whole number)."),
    ("x", str, dict(choices=("a", "b")), "Parameter 'p' must be one of 'a', 'b'; got 'x' (a string)."),
    (float("nan"), float, {}, "Parameter 'p' must be a number; got nan (a number)."),
])
def test_bad_values_get_one_sentence(value, kind, opts, sentence):
    with pytest.raises(ParameterError) as error:
        check("p", value, kind, **opts)
    assert str(error.value) == sentence


def test_unsupported_kind_is_a_programming_error():
    with pytest.raises(TypeError):
        check("p", 1, list)
