"""The catalog loader: idempotent, updates in place, all-or-nothing with messages naming the record."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from courses.catalog_file import DEFAULT_CATALOG, parse_catalog, read_catalog
from courses.exceptions import CatalogFileError
from courses.models import CertificationPath, ExamDomain, PathStatus, Successor
from courses.services import load_catalog

pytestmark = pytest.mark.django_db


def catalog_with(edit) -> str:
    data = yaml.safe_load(DEFAULT_CATALOG.read_text())
    edit(data)
    return yaml.safe_dump(data)


def test_load_catalog_creates_every_path_of_the_catalog_file():
    report = load_catalog(records=read_catalog())

    assert len(report.created) == 14
    assert CertificationPath.objects.count() == 14
    clf = CertificationPath.objects.get(code="CLF-C02")
    assert (clf.item_count, clf.minutes, clf.pass_mark) == (65, 90, 700)
    assert [(d.name, d.weight_percent) for d in clf.domains.all()] == [
        ("Cloud Concepts", 24),
        ("Security and Compliance", 30),
        ("Cloud Technology and Services", 34),
        ("Billing, Pricing, and Support", 12),
    ]


def test_load_catalog_twice_changes_nothing_the_second_time():
    load_catalog(records=read_catalog())
    before = list(ExamDomain.objects.order_by("id").values_list("id", "name", "weight_percent"))

    out = StringIO()
    call_command("load_catalog", stdout=out)

    assert "0 created, 0 updated, 14 unchanged" in out.getvalue()
    assert list(ExamDomain.objects.order_by("id").values_list("id", "name", "weight_percent")) == before


def test_an_edited_figure_is_updated_in_place_not_duplicated():
    load_catalog(records=read_catalog())

    def edit(data):
        clf = next(p for p in data["paths"] if p["code"] == "CLF-C02")
        clf["minutes"] = 95
        clf["domains"][0]["weight"], clf["domains"][1]["weight"] = 25, 29

    report = load_catalog(records=parse_catalog(catalog_with(edit)))

    assert report.updated == ["CLF-C02"]
    clf = CertificationPath.objects.get(code="CLF-C02")
    assert clf.minutes == 95
    assert clf.domains.get(name="Cloud Concepts").weight_percent == 25
    assert CertificationPath.objects.filter(code="CLF-C02").count() == 1
    assert clf.domains.count() == 4


def test_a_retired_path_is_linked_to_its_successor_in_the_catalog():
    load_catalog(records=read_catalog())

    mls = CertificationPath.objects.get(code="MLS-C01")
    successor = Successor.objects.get(path=mls, code="MLA-C01")

    assert mls.status == PathStatus.RETIRED
    assert str(mls.retired_on) == "2026-03-31"
    assert successor.successor_path == CertificationPath.objects.get(code="MLA-C01")


def test_an_unknown_provider_is_rejected_naming_the_record():
    def edit(data):
        data["paths"][2]["provider"] = "ibm"

    with pytest.raises(CatalogFileError, match=r"catalog record 3 \(MLS-C01\): field 'provider' is 'ibm'"):
        parse_catalog(catalog_with(edit))


def test_a_missing_required_figure_is_rejected_naming_the_record():
    def edit(data):
        del data["paths"][0]["name"]

    with pytest.raises(CatalogFileError, match=r"catalog record 1 \(CLF-C02\): field 'name' is required"):
        parse_catalog(catalog_with(edit))


def test_exact_weights_must_add_up_to_100():
    def edit(data):
        data["paths"][0]["domains"][0]["weight"] = 50

    with pytest.raises(CatalogFileError, match="add up to 100, got 126"):
        parse_catalog(catalog_with(edit))


def test_a_bad_file_loads_nothing_not_even_the_valid_records(tmp_path):
    def edit(data):
        data["paths"][1]["pass_mark"] = 50  # below SAA-C03's 100-1000 scale: a model rule refuses it

    bad = tmp_path / "catalog.yaml"
    bad.write_text(catalog_with(edit))

    with pytest.raises(CommandError, match=r"SAA-C03: The pass mark must lie on the scale 100-1000"):
        call_command("load_catalog", file=bad, stdout=StringIO())

    assert CertificationPath.objects.count() == 0


def test_invalid_yaml_is_reported_as_such(tmp_path):
    bad = tmp_path / "catalog.yaml"
    bad.write_text("paths: [\n  - code: X\n")

    with pytest.raises(CatalogFileError, match="not valid YAML"):
        read_catalog(bad)
