"""A metric may not take a code that is the path of one of the portal's pages under /metrics/."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse

from icsportal.loading import system_load
from metrics import urls as metric_urls
from metrics.models import Metric
from metrics.reserved import RESERVED_CODES
from places.models import System
from tests.factories import MetricFactory

SECOND_FIXTURE = (
    Path(__file__).resolve().parents[2] / "places" / "fixtures" / "second_system" / "en_ics.json"
)


def test_every_fixed_path_under_metrics_is_reserved():
    fixed = {
        str(pattern.pattern).split("/")[0]
        for pattern in metric_urls.urlpatterns
        if str(pattern.pattern) and not str(pattern.pattern).startswith("<")
    }
    assert fixed == RESERVED_CODES


@pytest.mark.parametrize("code", sorted(RESERVED_CODES))
def test_a_reserved_path_is_the_portals_page_not_a_metrics(code):
    assert resolve(f"/metrics/{code}/").url_name != "metric_detail"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["uploads", "summary", "Uploads"])
def test_a_metric_with_a_reserved_code_is_refused_on_its_code_field(code):
    metric = MetricFactory.build(code=code)
    with pytest.raises(ValidationError) as refused:
        metric.full_clean()
    assert list(refused.value.message_dict) == ["code"]
    assert f"/metrics/{code}/" in refused.value.message_dict["code"][0]
    assert not Metric.objects.filter(code__iexact=code).exists()


@pytest.mark.django_db
def test_an_ordinary_code_is_accepted():
    MetricFactory.build(code="uploads-per-month").full_clean()


@pytest.mark.django_db
def test_the_admin_refuses_a_reserved_code_naming_the_field(admin_client):
    response = admin_client.post(
        reverse("admin:metrics_metric_add"),
        {
            "code": "uploads",
            "name": "Uploads",
            "short_name": "Uploads",
            "unit": "count",
            "polarity": "higher_is_better",
            "frequency": "monthly",
            "category": "activity",
        },
    )
    assert response.status_code == 200
    assert "is reserved" in response.content.decode()
    assert not Metric.objects.filter(code="uploads").exists()


@pytest.mark.django_db
def test_loading_a_fixture_with_a_reserved_code_writes_nothing():
    fixture = json.loads(SECOND_FIXTURE.read_text(encoding="utf-8"))
    fixture["metrics"][0]["code"] = "uploads"
    systems = System.objects.count()
    with pytest.raises(ValueError, match=r"metric uploads, field code: The code uploads is"):
        system_load(fixture=fixture)
    assert System.objects.count() == systems
    assert not Metric.objects.filter(code="uploads").exists()
