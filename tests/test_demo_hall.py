"""knowledge/demo_hall.json: the project's own demo hall."""

import json
from pathlib import Path

import pytest

import knowledge
from knowledge.interchange import read_document, write_document
from knowledge.schema import ASKABLE_FIELDS, load_kb

DEMO = Path(knowledge.__file__).parent / "demo_hall.json"


@pytest.fixture(scope="module")
def demo():
    return load_kb(DEMO)


def test_validates_and_is_big_enough(demo):
    assert len(demo.items) >= 25
    codes = [item.code for item in demo.items]
    assert len(codes) == len(set(codes))


def test_is_its_own_hall(demo, county_kb_path):
    county = load_kb(county_kb_path)
    assert demo.hall.name != county.hall.name
    assert not {item.code for item in demo.items} & {item.code for item in county.items}
    assert all(
        getattr(demo.hall, key) for key in ("name", "address", "hours", "phone", "complaint_phone", "website")
    )


@pytest.mark.parametrize("part", ["materials", "windows", "time_limit", "fee", "online", "faq", "process"])
def test_every_item_is_complete(demo, part):
    missing = [item.code for item in demo.items if not getattr(item, part)]
    assert missing == []


def test_items_state_what_citizens_ask(demo):
    for item in demo.items:
        assert item.aliases and item.conditions and item.basis and item.updated, item.code
        assert item.visits is not None and item.type and item.audience, item.code
        assert 2 <= len(item.faq) <= 3, item.code
        assert all(window.number and window.location for window in item.windows), item.code
        assert item.fee.free or item.fee.text, item.code
    assert set(ASKABLE_FIELDS) >= {"materials", "fee"}


@pytest.mark.parametrize(
    ("code", "needle"),
    [("QX-GA-001", "20元"), ("QX-GA-003", "40元"), ("QX-GA-008", "120元"), ("QX-BDC-001", "80元")],
    ids=["id-card-first", "id-card-lost", "passport", "property-transfer"],
)
def test_national_fees(demo, code, needle):
    assert needle in demo.item(code).fee.text


@pytest.mark.parametrize(
    "name",
    [
        "居民身份证首次申领",
        "居民身份证换领",
        "居民身份证补领",
        "出生登记",
        "户口迁入",
        "结婚登记",
        "离婚登记",
        "社会保障卡申领",
        "社会保障卡挂失",
        "城乡居民基本医疗保险参保",
        "异地就医备案",
        "住房公积金提取（购买",
        "住房公积金提取（租赁",
        "住房公积金贷款",
        "个体工商户设立",
        "个体工商户注销",
        "税务登记",
        "二手房",
        "新房办证",
        "居住证",
        "无犯罪记录证明",
        "最低生活保障",
        "护照",
        "驾驶证",
    ],
)
def test_covers_the_common_items(demo, name):
    assert any(name in item.name for item in demo.items)


def test_file_is_formatted_as_written(demo, tmp_path):
    # Kept in the same form write_document produces, so an export diff is empty.
    assert DEMO.read_text(encoding="utf-8") == write_document(demo, tmp_path / "demo.json").read_text(
        encoding="utf-8"
    )
    assert json.loads(DEMO.read_text(encoding="utf-8"))["format"] == "guidebot-kb/1"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"], ids=["xlsx", "csv"])
def test_round_trips_through_sheets(demo, tmp_path, suffix):
    assert read_document(write_document(demo, tmp_path / f"demo{suffix}")) == demo
