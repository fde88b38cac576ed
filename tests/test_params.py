"""One clear sentence for every bad parameter, however the notebook is run."""

import pytest

from zjanalysis.params import ParameterError, check


def test_good_values_pass_and_ints_become_floats():
    assert check("tolerance", 0, float, minimum=0, maximum=0.5) == 0.0
    assert isinstance(check("tolerance", 0, float), float)
    assert check("tolerance", 0.5, float, minimum=0, maximum=0.5) == 0.5  # the bounds are allowed
    assert check("year", 2018, int, minimum=2008) == 2018
    assert check("basis", "year_end", str, choices=("year_end", "previous_year_end")) == "year_end"
    assert check("show_working", False, bool) is False


@pytest.mark.parametrize(
    "value, kind, opts, sentence",
    [
        # the type is the problem: the sentence says what was given
        (
            "abc",
            float,
            dict(minimum=0, maximum=0.5),
            "Parameter 'p' must be a number from 0 to 0.5; got 'abc' (a string).",
        ),
        ("0.1", float, {}, "Parameter 'p' must be a number; got '0.1' (a string)."),
        (True, float, {}, "Parameter 'p' must be a number; got True (true/false)."),
        (
            True,
            int,
            dict(minimum=0),
            "Parameter 'p' must be a whole number of at least 0; got True (true/false).",
        ),
        (1.0, int, {}, "Parameter 'p' must be a whole number; got 1.0 (a number)."),
        (1, bool, {}, "Parameter 'p' must be true or false; got 1 (a whole number)."),
        (
            3,
            str,
            dict(choices=("a", "b")),
            "Parameter 'p' must be one of 'a', 'b'; got 3 (a whole number).",
        ),
        (None, float, {}, "Parameter 'p' must be a number; got None (NoneType)."),
        (float("nan"), float, {}, "Parameter 'p' must be a number; got nan (not a finite number)."),
        (
            float("inf"),
            float,
            dict(minimum=0),
            "Parameter 'p' must be a number of at least 0; got inf (not a finite number).",
        ),
        # the type is right but the value is not allowed
        (
            0.9,
            float,
            dict(minimum=0, maximum=0.5),
            "Parameter 'p' must be a number from 0 to 0.5; got 0.9.",
        ),
        (-0.01, float, dict(minimum=0), "Parameter 'p' must be a number of at least 0; got -0.01."),
        (
            2019,
            int,
            dict(maximum=2018),
            "Parameter 'p' must be a whole number of at most 2018; got 2019.",
        ),
        (-1, int, dict(minimum=0), "Parameter 'p' must be a whole number of at least 0; got -1."),
        ("x", str, dict(choices=("a", "b")), "Parameter 'p' must be one of 'a', 'b'; got 'x'."),
    ],
)
def test_bad_values_get_one_sentence(value, kind, opts, sentence):
    with pytest.raises(ParameterError) as error:
        check("p", value, kind, **opts)
    assert str(error.value) == sentence


def test_the_briefs_example_sentences():
    with pytest.raises(ParameterError) as error:
        check("population_basis", "x", str, choices=("year_end", "previous_year_end"))
    assert (
        str(error.value)
        == "Parameter 'population_basis' must be one of 'year_end', 'previous_year_end'; got 'x'."
    )
    with pytest.raises(ParameterError) as error:
        check("tolerance", "abc", float, minimum=0, maximum=0.5)
    assert (
        str(error.value)
        == "Parameter 'tolerance' must be a number from 0 to 0.5; got 'abc' (a string)."
    )


def test_a_parameter_error_is_a_value_error():
    # Notebooks and the renderer may catch ValueError; a ParameterError must be one.
    assert issubclass(ParameterError, ValueError)


def test_unsupported_kind_is_a_programming_error():
    with pytest.raises(TypeError, match="float, int, str and bool"):
        check("p", 1, list)
