"""Uploads of proportions and rates: numerator and denominator columns, all or nothing."""

import io

import pytest
from openpyxl import Workbook

from metrics.imports import ImportFailed, observations_import
from metrics.models import Observation
from tests.factories import MetricFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proportion():
    return MetricFactory(
        code="test-readmissions", data_kind="proportion", chart="p", multiplier=100, unit="%"
    )


@pytest.fixture
def place():
    return PlaceFactory(slug="testford")


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_a_good_file_stores_numerator_denominator_and_the_value(proportion, place):
    result = observations_import(
        file=_csv(
            "metric,subject_type,subject,period,value,numerator,denominator\n"
            "test-readmissions,place,testford,2024-01,,12,400\n"
            "test-readmissions,place,testford,2024-02,2.5,10,400\n"
        ),
        file_name="good.csv",
    )
    assert result.created == 2
    rows = list(
        Observation.objects.filter(series__metric__code="test-readmissions")
        .order_by("period_start")
        .values_list("value", "numerator", "denominator")
    )
    assert rows == [(3.0, 12.0, 400.0), (2.5, 10.0, 400.0)]


def test_a_workbook_and_json_rows_carry_them_too(proportion, place):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["metric", "subject_type", "subject", "period", "numerator", "denominator", "value"]
    )
    sheet.append(["test-readmissions", "place", "testford", "2024-01", 5, 50, None])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    observations_import(file=buffer, file_name="good.xlsx")
    observations_import(
        rows=[
            {
                "metric": "test-readmissions",
                "subject_type": "place",
                "subject": "testford",
                "period": "2024-02",
                "value": "",
                "numerator": 1,
                "denominator": 4,
            }
        ]
    )
    assert list(
        Observation.objects.filter(series__metric__code="test-readmissions")
        .order_by("period_start")
        .values_list("value", flat=True)
    ) == [
        10.0,
        25.0,
    ]


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("2024-01,,,400", "numerator", "the numerator is empty: test-readmissions is a proportion"),
        ("2024-01,,12,0", "denominator", "0 is not above 0"),
        ("2024-01,,-1,40", "numerator", "-1 is negative"),
        ("2024-01,,41,40", "numerator", "41 is more than the denominator 40"),
        ("2024-01,,x,40", "numerator", "'x' is not a number"),
        ("2024-01,9,12,400", "value", "9 is not numerator / denominator × 100 = 3"),
    ],
)
def test_bad_rows_are_refused_with_row_and_column(proportion, place, line, column, message):
    with pytest.raises(ImportFailed) as failed:
        observations_import(
            file=_csv(
                "metric,subject_type,subject,period,value,numerator,denominator\n"
                "test-readmissions,place,testford,2023-12,,1,10\n"
                f"test-readmissions,place,testford,{line}\n"
            ),
            file_name="bad.csv",
        )
    assert failed.value.errors[0]["row"] == 3
    assert failed.value.errors[0]["column"] == column
    assert message in failed.value.errors[0]["message"]
    assert not Observation.objects.filter(series__metric=proportion).exists()


def test_a_proportion_without_the_columns_is_refused(proportion, place):
    with pytest.raises(ImportFailed) as failed:
        observations_import(
            file=_csv(
                "metric,subject_type,subject,period,value\n"
                "test-readmissions,place,testford,2024-01,3\n"
            ),
            file_name="bad.csv",
        )
    assert (failed.value.errors[0]["row"], failed.value.errors[0]["column"]) == (2, "numerator")


def test_a_continuous_metric_refuses_a_numerator(place):
    MetricFactory(code="test-continuous")
    with pytest.raises(ImportFailed) as failed:
        observations_import(
            file=_csv(
                "metric,subject_type,subject,period,value,numerator,denominator\n"
                "test-continuous,place,testford,2024-01,3,1,2\n"
            ),
            file_name="bad.csv",
        )
    error = failed.value.errors[0]
    assert (error["row"], error["column"]) == (2, "numerator")
    assert "not a proportion or a rate" in error["message"]


def test_numerator_without_denominator_column_is_a_header_error(proportion, place):
    with pytest.raises(ImportFailed) as failed:
        observations_import(
            file=_csv(
                "metric,subject_type,subject,period,value,numerator\n"
                "test-readmissions,place,testford,2024-01,3,1\n"
            ),
            file_name="bad.csv",
        )
    error = failed.value.errors[0]
    assert (error["row"], error["column"]) == (1, "denominator")
