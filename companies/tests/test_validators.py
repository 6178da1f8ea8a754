import pytest
from django.core.exceptions import ValidationError

from companies.validators import validate_edrpou


@pytest.mark.parametrize("code", ["00032129", "14360570", "21560766", "30991664", "40075815"])
def test_real_codes_pass(code):
    validate_edrpou(code)


@pytest.mark.parametrize(
    ("code", "error"), [("14360571", "edrpou_check"), ("1436057", "edrpou_format"), ("1436057a", "edrpou_format")]
)
def test_wrong_codes_are_refused(code, error):
    with pytest.raises(ValidationError) as caught:
        validate_edrpou(code)
    assert caught.value.code == error
