"""DOMAIN §9: GB 11643-1999 citizen ID numbers."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.idcard import IdNumberError, check_char, normalize, parse_id_number
from tests.fixtures import make_id_number

TODAY = dt.date(2026, 11, 27)


def test_standard_sample_has_check_char_x():
    # The standard's own sample: R = 2 → X.
    parsed = parse_id_number("34052419800101001X", today=TODAY)
    assert parsed.birth_date == dt.date(1980, 1, 1)
    assert parsed.gender == "M"
    assert parsed.value == "34052419800101001X"


def test_lower_case_x_fullwidth_digits_and_spaces_are_normalised():
    assert normalize(" ３４０５２４１９８００１０１００１ｘ ") == "34052419800101001X"
    assert parse_id_number(" 34052419800101001x", today=TODAY).value == "34052419800101001X"


@pytest.mark.parametrize(
    ("_case", "raw", "code"),
    [
        ("too_short", "3405241980010100", "id_number.length"),
        ("letters", "34052419800101A01X", "id_number.charset"),
        ("bad_check", "340524198001010011", "id_number.checksum"),
        ("bad_province", "99052419800101001X", "id_number.province"),
        ("feb_30", "340524198002300010", "id_number.date"),
        ("future", "340524203001010010", "id_number.date"),
    ],
)
def test_invalid_numbers_are_rejected_with_a_code(_case, raw, code):
    with pytest.raises(IdNumberError) as err:
        parse_id_number(raw, today=TODAY)
    assert err.value.code == code


def test_leap_day_is_a_real_date_and_sex_comes_from_position_17():
    number = make_id_number(dt.date(2000, 2, 29), 124, gender="F")
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.birth_date == dt.date(2000, 2, 29)
    assert parsed.gender == "F"


def test_legacy_15_digit_number_is_upgraded_only_when_allowed():
    legacy = "340524800101001"
    with pytest.raises(IdNumberError):
        parse_id_number(legacy, today=TODAY)
    upgraded = parse_id_number(legacy, today=TODAY, allow_legacy=True)
    assert upgraded.value == "34052419800101001X"


@given(
    birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2008, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_generated_number_round_trips_and_one_changed_digit_is_caught(birth, seq):
    number = make_id_number(birth, seq, gender="M" if seq % 2 else "F")
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.birth_date == birth
    # changing the sequence digit changes the check character's expectation
    tampered = number[:15] + str((int(number[15]) + 1) % 10) + number[16:]
    assert check_char(tampered[:17]) != tampered[17] or tampered == number
